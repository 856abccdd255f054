package org.opensipis.http.status;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP interface shows about the running process ({@code /about}, {@code /stats},
 * {@code /stats/summary/json}, {@code /metrics}). Implemented by the composition root over
 * the live components. Every method is called from an HTTP worker thread ("sipis-http-worker")
 * and must be cheap and non-blocking: return counters or snapshots, never query the database.
 */
public interface ServerStatus {

    /** {@code Server[Name]}. */
    String name();

    /** Human version, e.g. {@code "0.1.0"}. */
    String versionString();

    /** Numeric version for exporters, e.g. 0.1.0 -> {@code 100}. */
    long versionNumber();

    /** Build id (git commit, build date). */
    String build();

    /** Time since the process started. */
    Duration uptime();

    /** Tasks waiting on each owner executor, in executor order. */
    List<Integer> ownerQueueSizes();

    /** The summary's {@code MessageLoopQueueSize}: by default the sum of {@link #ownerQueueSizes()}. */
    default long messageLoopQueueSize() {
        long sum = 0;
        for (int q : ownerQueueSizes()) {
            sum += Math.max(0, q); // -1: an owner that cannot tell
        }
        return sum;
    }

    /**
     * Incoming-call outcomes since start, in display order, e.g. {@code accepted}, {@code missed},
     * {@code rejected}, {@code rejected: busy}.
     */
    default Map<String, Long> incomingCallOutcomes() {
        return Map.of();
    }

    /** Push-test outcomes since start: platform -> outcome -> count, in display order. */
    default Map<String, Map<String, Long>> pushTestOutcomes() {
        return Map.of();
    }

    /** REGISTERs waiting for the throttle. */
    default long throttleQueueDepth() {
        return 0;
    }

    /** State changes waiting to be written to the database. */
    default long databaseWriteQueue() {
        return 0;
    }

    /** Whether the last database operation succeeded. */
    default boolean databaseAvailable() {
        return true;
    }

    /**
     * The parts readiness depends on, each with its state, from the last health round (never
     * computed on the caller's thread). Empty = nothing to check: ready.
     */
    default List<HealthCheck> readiness() {
        return List.of();
    }
}
