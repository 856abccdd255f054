package org.opensipis.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.opensipis.sip.app.AppLegStats;
import org.opensipis.sip.registration.EngineStats;
import org.opensipis.sip.registration.RegistrationEngine;

/**
 * The meters the composition root binds over live components, read at scrape time: JVM and
 * process ({@code jvm_*}, {@code process_*}, {@code system_*}), the registration engine's counters
 * as FunctionCounters ({@code sipis_register_*_total}; response codes get their series as they
 * first appear, see {@link #run()}), and the app leg ({@code sipis_app_*}). Nothing here counts
 * per event.
 */
final class ProcessMeters implements Runnable, AutoCloseable {

    private final MeterRegistry registry;
    private final RegistrationEngine engine;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Set<Integer> codes = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ProcessMeters(MeterRegistry registry, RegistrationEngine engine) {
        this.registry = registry;
        this.engine = engine;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> Math.max(0, o.getProcessCpuTime()) / 1e9).baseUnit("seconds")
                    .description("CPU time used by the process").register(registry);
        }
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        engineCounter("sipis.register.sent", "REGISTER requests sent (first transmissions)", EngineStats::registersSent);
        engineCounter("sipis.register.retransmissions", "REGISTER retransmissions over UDP (timer E)",
                EngineStats::retransmissions);
        engineCounter("sipis.register.timeouts", "REGISTER transactions that got no answer (timer F)",
                EngineStats::timeouts);
        engineCounter("sipis.register.transport.errors", "REGISTERs that failed on the transport (connect, TLS, closed)",
                EngineStats::transportErrors);
        engineCounter("sipis.sip.stray.responses", "SIP responses matching no transaction of ours (RFC 3261 17.1.3)",
                EngineStats::strayResponses);
        FunctionCounter.builder("sipis.register.responses", engine, e -> e.stats().timeouts())
                .description("Final REGISTER responses by status code (timeout: none came)").tag("code", "timeout")
                .register(registry);
        Gauge.builder("sipis.register.in.flight", engine, e -> e.stats().inFlight())
                .description("REGISTER transactions in flight").register(registry);
        for (int code : COMMON_CODES) {
            responses(code);
        }
        run();
    }

    /** Codes whose series exist from the start, so that rates and alerts see a 0 before the first one. */
    private static final int[] COMMON_CODES = {200, 401, 403, 404, 407, 408, 423, 480, 500, 503};

    /**
     * The registry's filters; call before any meter is registered. ProcessorMetrics reports CPU
     * time in nanoseconds ({@code process_cpu_time_ns_total}); Prometheus wants base units, so it
     * is replaced by the conventional {@code process_cpu_seconds_total}.
     */
    static void configure(MeterRegistry registry) {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    }

    private void engineCounter(String name, String description, ToLongFunction<EngineStats> f) {
        FunctionCounter.builder(name, engine, e -> f.applyAsLong(e.stats())).description(description).register(registry);
    }

    /** Gives each final response code seen since the last run its series (every few seconds on a timer). */
    @Override
    public void run() {
        for (Integer code : engine.stats().responsesByCode().keySet()) {
            if (code >= 200 && code <= 699) {
                responses(code);
            }
        }
    }

    private void responses(int code) {
        if (codes.add(code)) {
            FunctionCounter.builder("sipis.register.responses", engine, e -> e.stats().responsesByCode().getOrDefault(code, 0L))
                    .description("Final REGISTER responses by status code (timeout: none came)")
                    .tag("code", Integer.toString(code)).register(registry);
        }
    }

    /** The app leg's counters, once it runs. */
    void bindAppLeg(AppLegStats app) {
        Gauge.builder("sipis.app.flows.open", app, AppLegStats::flowsOpen)
                .description("App flows (TCP/TLS from LB2) open now").register(registry);
        appCounter(app, "sipis.app.flows.opened", "App flows accepted", AppLegStats::flowsOpened);
        appCounter(app, "sipis.app.flows.lapsed", "App flows closed because their registration lapsed", AppLegStats::lapsed);
        appCounter(app, "sipis.app.registrations", "App REGISTERs accepted (with Expires > 0)", AppLegStats::registered);
        appCounter(app, "sipis.app.unregistrations", "App REGISTERs removing their binding", AppLegStats::unregistered);
        appCounter(app, "sipis.app.challenges", "Digest challenges sent to apps", AppLegStats::challenges);
        appCounter(app, "sipis.app.auth.failures", "App requests with wrong credentials", AppLegStats::authFailures);
        appCounter(app, "sipis.app.rate.limited", "App requests refused by the failure limiter", AppLegStats::rateLimited);
        appCounter(app, "sipis.app.unknown.selector", "App requests for a selector nobody registered",
                AppLegStats::unknownSelector);
        appCounter(app, "sipis.app.not.in.shard", "App requests for a selector another process owns", AppLegStats::notInShard);
        appCounter(app, "sipis.app.malformed", "Malformed messages on app flows", AppLegStats::malformed);
        appCounter(app, "sipis.app.pings", "Keep-alive pings on app flows", AppLegStats::pings);
        appCounter(app, "sipis.app.dropped.responses", "Responses from apps that matched no request",
                AppLegStats::droppedResponses);
    }

    private void appCounter(AppLegStats app, String name, String description, ToLongFunction<AppLegStats> f) {
        FunctionCounter.builder(name, app, f::applyAsLong).description(description).register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
