package org.opensipis.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.opensipis.http.status.HealthCheck;
import org.opensipis.sip.app.AppLegServer;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out readiness in rounds on its own thread ({@code sipis-health}), so that
 * {@code /health/ready} answers from the last round and never waits for a database that does not
 * answer. A round checks: the database answers, the shard was loaded, the LISTEN connection for
 * change notifications is up, the SIP socket and the app-leg listener are bound. A change of
 * readiness is logged once.
 */
final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    static final Duration PERIOD = Duration.ofSeconds(1);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(2);

    private final Store store;
    private final RegistrationEngine engine;
    private final BooleanSupplier shardLoaded;
    private final java.util.function.Supplier<AppLegServer> appLeg;
    private final ScheduledExecutorService thread;
    private volatile List<HealthCheck> last = List.of(new HealthCheck("startup", false, "first health round not done yet"));
    private volatile boolean wasReady;

    HealthMonitor(Store store, RegistrationEngine engine, BooleanSupplier shardLoaded,
                  java.util.function.Supplier<AppLegServer> appLeg) {
        this.store = store;
        this.engine = engine;
        this.shardLoaded = shardLoaded;
        this.appLeg = appLeg;
        this.thread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Threads.named("sipis-health"));
    }

    /** Runs one round now (so the first answer is real) and then every {@link #PERIOD}. */
    void start() {
        thread.scheduleWithFixedDelay(this::roundSafely, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last round's checks. */
    List<HealthCheck> checks() {
        return last;
    }

    private void roundSafely() {
        try {
            round();
        } catch (RuntimeException e) {
            LOG.error("health round failed", e);
        }
    }

    void round() {
        List<HealthCheck> out = new ArrayList<>(5);
        boolean db = store.databaseReachable(DB_TIMEOUT);
        out.add(new HealthCheck("database", db, db ? "answers" : "does not answer (Database[OpenString])"));
        boolean shard = shardLoaded.getAsBoolean();
        out.add(new HealthCheck("shard", shard, shard ? "instances loaded" : "instances not loaded yet"));
        boolean listening = store.isListening();
        out.add(new HealthCheck("change_notifications", listening,
                listening ? "LISTEN connection up" : "LISTEN connection down; polling every Restart/PollPeriod"));
        boolean sip = engine.socketsBound();
        out.add(new HealthCheck("sip_socket", sip, sip ? "UDP port " + engine.udpPort() + " bound" : "SIP socket closed"));
        AppLegServer a = appLeg.get();
        boolean app = a != null && a.isBound();
        out.add(new HealthCheck("app_leg", app, app ? "listening on " + a.address() : "not listening"));
        last = List.copyOf(out);
        boolean ready = out.stream().allMatch(HealthCheck::ok);
        if (ready != wasReady) {
            wasReady = ready;
            if (ready) {
                LOG.info("ready: every health check passes");
            } else {
                LOG.warn("not ready: {}", out.stream().filter(c -> !c.ok()).map(c -> c.name() + " " + c.detail()).toList());
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
