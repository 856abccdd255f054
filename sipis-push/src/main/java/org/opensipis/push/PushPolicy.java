package org.opensipis.push;

import java.time.Duration;
import java.util.Objects;

/**
 * Retry, queue and circuit-breaker tuning of the dispatcher.
 *
 * @param firstBackoff      wait before the first retry; doubles each time
 * @param maxBackoff        longest wait between two attempts
 * @param maxAttempts       attempts per push, including the first
 * @param maxInFlight       pushes one provider may have outstanding; more are refused at once
 * @param breakerThreshold  consecutive transient failures that open a provider's circuit
 * @param breakerOpenFor    how long an open circuit refuses pushes before one trial
 */
public record PushPolicy(Duration firstBackoff, Duration maxBackoff, int maxAttempts, int maxInFlight,
                         int breakerThreshold, Duration breakerOpenFor) {

    public static final PushPolicy DEFAULT = new PushPolicy(Duration.ofMillis(200), Duration.ofSeconds(5), 5,
            10_000, 20, Duration.ofSeconds(30));

    public PushPolicy {
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(breakerOpenFor, "breakerOpenFor");
        if (maxAttempts < 1 || maxInFlight < 1 || breakerThreshold < 1) {
            throw new IllegalArgumentException("maxAttempts, maxInFlight and breakerThreshold must be >= 1");
        }
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} failed attempts (1-based). */
    Duration backoffAfter(int attempt) {
        Duration d = firstBackoff;
        for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
