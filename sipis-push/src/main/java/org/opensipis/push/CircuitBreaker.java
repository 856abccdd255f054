package org.opensipis.push;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Consecutive-failure circuit breaker of one provider: after {@code threshold} transient
 * failures in a row it opens for {@code openFor}; then one trial push goes through (half
 * open), and its result closes or reopens the circuit. Thread-safe (synchronized; tiny).
 */
final class CircuitBreaker {

    enum Change { NONE, OPENED, CLOSED }

    private final Clock clock;
    private final int threshold;
    private final Duration openFor;
    private int failures;
    private Instant openUntil;
    private boolean trialOut;

    CircuitBreaker(Clock clock, int threshold, Duration openFor) {
        this.clock = clock;
        this.threshold = threshold;
        this.openFor = openFor;
    }

    /** Whether a push may go now; in the half-open state only one trial is let through. */
    synchronized boolean allow() {
        if (openUntil == null) {
            return true;
        }
        if (clock.instant().isBefore(openUntil) || trialOut) {
            return false;
        }
        trialOut = true;
        return true;
    }

    synchronized Change success() {
        failures = 0;
        trialOut = false;
        if (openUntil != null) {
            openUntil = null;
            return Change.CLOSED;
        }
        return Change.NONE;
    }

    synchronized Change failure() {
        failures++;
        boolean wasOpen = openUntil != null;
        if (wasOpen || failures >= threshold) {
            openUntil = clock.instant().plus(openFor);
            trialOut = false;
            return wasOpen ? Change.NONE : Change.OPENED;
        }
        return Change.NONE;
    }

    synchronized boolean isOpen() {
        return openUntil != null;
    }
}
