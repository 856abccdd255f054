package org.opensipis.core.metrics;

import java.time.Duration;

/**
 * Where the modules report countable events (REGISTERs, pushes, incoming calls) without
 * depending on a metrics library. sipis-http implements it over Micrometer and exposes the
 * result on {@code /metrics}; the composition root hands the one instance to every module.
 * Implementations are thread-safe and never block: call them from any thread, including an
 * owner executor.
 */
public interface MetricsSink {

    /** A sink that drops everything (tests, tools). */
    MetricsSink NOOP = new MetricsSink() {
    };

    /** A REGISTER left this process (first try, refresh or retry). */
    default void registerSent() {
    }

    /** A final response to a REGISTER arrived ({@code 0} = transaction timeout). */
    default void registerResponse(int statusCode) {
    }

    /** A SIP response arrived that matched no transaction of ours (RFC 3261 17.1.3): not a REGISTER answer. */
    default void sipStrayResponse() {
    }

    /**
     * A push was handed to a provider and the provider answered.
     *
     * @param provider {@code "apns"}, {@code "fcm"} or {@code "pnm"}
     * @param outcome  short lower-case word, e.g. {@code "accepted"}, {@code "rejected"},
     *                 {@code "token-dead"}, {@code "failed"}
     * @param latency  from hand-over to the provider's answer
     */
    default void push(String provider, String outcome, Duration latency) {
    }

    /**
     * An incoming call ended its push phase.
     *
     * @param outcome {@code "accepted"}, {@code "missed"} or {@code "rejected"} (optionally
     *                {@code "rejected:<reason>"})
     */
    default void incomingCall(String outcome) {
    }
}
