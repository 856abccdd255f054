package org.opensipis.core.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code <Registration>} (ours): how politely instances register upstream.
 *
 * @param globalRate        REGISTERs per second for the whole process (token bucket)
 * @param perRegistrarRate  REGISTERs per second towards one registrar host
 * @param maxInFlight       REGISTER transactions in flight at once
 * @param refreshAt         refresh at this share of the granted expiry (0.1–0.95)
 * @param jitter            ± share of the refresh interval added at random (0–0.5)
 * @param defaultExpires    Expires we ask for when the account does not say
 * @param transientRetryMin first retry after a timeout, 408, 5xx or transport error
 * @param transientRetryMax cap of that backoff
 * @param authRetryMin      first retry after 401/403 with our credentials (Unauthorized)
 * @param authRetryMax      cap of that backoff
 * @param fatalRetryMin     first retry after another 4xx (Error)
 * @param fatalRetryMax     cap of that backoff
 * @param shutdownTimeout   how long unregistration at shutdown may take
 */
public record RegistrationSettings(double globalRate, double perRegistrarRate, int maxInFlight,
                                   double refreshAt, double jitter, Duration defaultExpires,
                                   Duration transientRetryMin, Duration transientRetryMax,
                                   Duration authRetryMin, Duration authRetryMax,
                                   Duration fatalRetryMin, Duration fatalRetryMax,
                                   Duration shutdownTimeout) {
    public RegistrationSettings {
        Objects.requireNonNull(defaultExpires, "defaultExpires");
        Objects.requireNonNull(transientRetryMin, "transientRetryMin");
        Objects.requireNonNull(transientRetryMax, "transientRetryMax");
        Objects.requireNonNull(authRetryMin, "authRetryMin");
        Objects.requireNonNull(authRetryMax, "authRetryMax");
        Objects.requireNonNull(fatalRetryMin, "fatalRetryMin");
        Objects.requireNonNull(fatalRetryMax, "fatalRetryMax");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }
}
