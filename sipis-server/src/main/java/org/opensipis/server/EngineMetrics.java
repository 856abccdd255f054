package org.opensipis.server;

import java.util.HashMap;
import java.util.Map;
import org.opensipis.core.metrics.MetricsSink;
import org.opensipis.sip.registration.EngineStats;
import org.opensipis.sip.registration.RegistrationEngine;

/**
 * Feeds the registration engine's counters into the metrics sink: every {@link #run()} adds
 * what was sent and received since the previous run ({@code sipis_register_sent_total},
 * {@code sipis_register_responses_total{code}}; timeouts count as code 0; responses matching no
 * transaction go to {@code sipis_sip_stray_responses_total}). Runs on one timer
 * thread.
 */
final class EngineMetrics implements Runnable {

    private final RegistrationEngine engine;
    private final MetricsSink metrics;
    private long sent;
    private long timeouts;
    private long stray;
    private final Map<Integer, Long> responses = new HashMap<>();

    EngineMetrics(RegistrationEngine engine, MetricsSink metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public void run() {
        EngineStats s = engine.stats();
        for (long i = sent; i < s.registersSent(); i++) {
            metrics.registerSent();
        }
        sent = Math.max(sent, s.registersSent());
        for (long i = timeouts; i < s.timeouts(); i++) {
            metrics.registerResponse(0);
        }
        timeouts = Math.max(timeouts, s.timeouts());
        for (long i = stray; i < s.strayResponses(); i++) {
            metrics.sipStrayResponse();
        }
        stray = Math.max(stray, s.strayResponses());
        for (Map.Entry<Integer, Long> e : s.responsesByCode().entrySet()) {
            if (e.getKey() < 200) {
                continue; // provisional responses are not counted
            }
            long before = responses.getOrDefault(e.getKey(), 0L);
            for (long i = before; i < e.getValue(); i++) {
                metrics.registerResponse(e.getKey());
            }
            responses.put(e.getKey(), Math.max(before, e.getValue()));
        }
    }
}
