package org.opensipis.http.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.http.status.InstanceView;
import org.opensipis.http.status.ServerStatus;

/**
 * The gauges of {@code /metrics}, read from the status interfaces at scrape time. The names are
 * part of the documented interface (docs/http-api.md); Prometheus sees dots as underscores.
 * Every queue is a gauge named {@code sipis_<queue>_queue_size}; label values are lower case.
 */
public final class SipisMeters {

    public static final String INSTANCES = "sipis.instances";
    public static final String OWNER_QUEUE = "sipis.owner.queue.size";
    public static final String THROTTLE_QUEUE = "sipis.register.throttle.queue.size";
    public static final String DB_WRITE_QUEUE = "sipis.db.write.queue.size";
    public static final String DB_AVAILABLE = "sipis.db.available";
    public static final String UPTIME = "sipis.uptime.seconds";

    private SipisMeters() {
    }

    /** Registers the gauges once per registry (the composition root calls this, or HttpServer does). */
    public static void bindGauges(MeterRegistry registry, ServerStatus status, InstanceView instances) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(instances, "instances");
        for (RegistrationState s : RegistrationState.values()) {
            Gauge.builder(INSTANCES, instances, v -> v.countByState().getOrDefault(s, 0L))
                    .tag("state", s.name().toLowerCase(java.util.Locale.ROOT)).description("Instances served by this process, by state")
                    .register(registry);
        }
        Gauge.builder(OWNER_QUEUE, status, ServerStatus::messageLoopQueueSize)
                .description("Tasks waiting on the owner executors").register(registry);
        Gauge.builder(THROTTLE_QUEUE, status, ServerStatus::throttleQueueDepth)
                .description("REGISTERs waiting for the throttle").register(registry);
        Gauge.builder(DB_WRITE_QUEUE, status, ServerStatus::databaseWriteQueue)
                .description("State changes waiting to be written to the database").register(registry);
        Gauge.builder(DB_AVAILABLE, status, s -> s.databaseAvailable() ? 1 : 0)
                .description("1 if the last database operation succeeded, else 0").register(registry);
        Gauge.builder(UPTIME, status, s -> s.uptime().toSeconds())
                .description("Seconds since the process started").register(registry);
    }
}
