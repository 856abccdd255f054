package org.opensipis.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.opensipis.core.Version;
import org.opensipis.http.status.HealthCheck;
import org.opensipis.http.status.ServerStatus;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.store.Store;

/** {@link ServerStatus} over the live components; every method is a cheap read. */
final class ProcessStatus implements ServerStatus {

    private final String name;
    private final Version version = Version.current();
    private final Clock clock;
    private final Instant started;
    private final Store store;
    private final RegistrationEngine engine;
    private final Supplier<Map<String, Long>> callOutcomes;
    private final Supplier<List<HealthCheck>> readiness;

    ProcessStatus(String name, Clock clock, Store store, RegistrationEngine engine, Supplier<Map<String, Long>> callOutcomes,
                  Supplier<List<HealthCheck>> readiness) {
        this.name = name;
        this.clock = clock;
        this.started = clock.instant();
        this.store = store;
        this.engine = engine;
        this.callOutcomes = callOutcomes;
        this.readiness = readiness;
    }

    @Override
    public List<HealthCheck> readiness() {
        return readiness.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String versionString() {
        return version.version();
    }

    @Override
    public long versionNumber() {
        return version.number();
    }

    @Override
    public String build() {
        return version.build();
    }

    @Override
    public Duration uptime() {
        return Duration.between(started, clock.instant());
    }

    @Override
    public List<Integer> ownerQueueSizes() {
        return engine.ownerQueueSizes();
    }

    @Override
    public Map<String, Long> incomingCallOutcomes() {
        return callOutcomes.get();
    }

    @Override
    public long throttleQueueDepth() {
        return engine.stats().throttleQueue();
    }

    @Override
    public long databaseWriteQueue() {
        return store.stateWriter().pendingCount();
    }

    @Override
    public boolean databaseAvailable() {
        return store.isDatabaseAvailable();
    }
}
