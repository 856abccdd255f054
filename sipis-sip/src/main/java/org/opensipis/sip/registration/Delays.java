package org.opensipis.sip.registration;

import java.util.Random;
import org.opensipis.core.settings.RegistrationSettings;

/**
 * When an instance registers next: the refresh within a granted expiry and the backoff after a
 * failure, both jittered. Arithmetic only (no state), shared by every instance.
 */
final class Delays {

    private Delays() {
    }

    /** The share of a granted expiry after which the binding is refreshed: {@code RefreshAt}, jittered by ±{@code Jitter}. */
    static double refreshShare(RegistrationSettings rs, Random random) {
        return rs.refreshAt() * (1 + rs.jitter() * (2 * random.nextDouble() - 1));
    }

    /** Milliseconds until the refresh of a binding granted for {@code grantedSeconds}; at least a second. */
    static long refreshMillis(RegistrationSettings rs, int grantedSeconds, Random random) {
        return Math.max(1000, (long) (grantedSeconds * 1000L * refreshShare(rs, random)));
    }

    /**
     * Milliseconds until retry number {@code failures} (1 = first) of a class: its capped exponential
     * backoff plus up to {@code Jitter} of it, and never before the registrar's Retry-After.
     */
    static long retryMillis(RegistrationSettings rs, RetryClass cls, int failures, long retryAfterMillis, Random random) {
        long delay = cls.delayMillis(rs, failures);
        delay += (long) (delay * rs.jitter() * random.nextDouble());
        return Math.max(delay, retryAfterMillis);
    }
}
