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
 * @param address           local address the REGISTER socket binds ({@code 0.0.0.0} = any)
 * @param port              local UDP port REGISTERs leave from, fixed so that a restarted process
 *                          registers the same Contact and refreshes its bindings instead of adding
 *                          new ones; 0 = chosen by the OS at every start (tests only)
 * @param unregisterOnStop  whether stopping the process removes every binding (decommissioning);
 *                          by default a stop leaves valid bindings for the next start to refresh
 */
public record RegistrationSettings(double globalRate, double perRegistrarRate, int maxInFlight,
                                   double refreshAt, double jitter, Duration defaultExpires,
                                   Duration transientRetryMin, Duration transientRetryMax,
                                   Duration authRetryMin, Duration authRetryMax,
                                   Duration fatalRetryMin, Duration fatalRetryMax,
                                   Duration shutdownTimeout, String address, int port, boolean unregisterOnStop) {

    /** The port when the settings do not name one and nothing else is known: {@code Server[Port]} 14998 + 1. */
    public static final int DEFAULT_PORT = 14999;

    /** Without the socket settings: any address, port chosen by the OS, bindings left at stop (tests). */
    public RegistrationSettings(double globalRate, double perRegistrarRate, int maxInFlight,
                                double refreshAt, double jitter, Duration defaultExpires,
                                Duration transientRetryMin, Duration transientRetryMax,
                                Duration authRetryMin, Duration authRetryMax,
                                Duration fatalRetryMin, Duration fatalRetryMax,
                                Duration shutdownTimeout) {
        this(globalRate, perRegistrarRate, maxInFlight, refreshAt, jitter, defaultExpires, transientRetryMin,
                transientRetryMax, authRetryMin, authRetryMax, fatalRetryMin, fatalRetryMax, shutdownTimeout,
                "0.0.0.0", 0, false);
    }

    /** The same settings with another UnregisterOnStop. */
    public RegistrationSettings withUnregisterOnStop(boolean unregister) {
        return new RegistrationSettings(globalRate, perRegistrarRate, maxInFlight, refreshAt, jitter, defaultExpires,
                transientRetryMin, transientRetryMax, authRetryMin, authRetryMax, fatalRetryMin, fatalRetryMax,
                shutdownTimeout, address, port, unregister);
    }

    public RegistrationSettings {
        Objects.requireNonNull(defaultExpires, "defaultExpires");
        Objects.requireNonNull(transientRetryMin, "transientRetryMin");
        Objects.requireNonNull(transientRetryMax, "transientRetryMax");
        Objects.requireNonNull(authRetryMin, "authRetryMin");
        Objects.requireNonNull(authRetryMax, "authRetryMax");
        Objects.requireNonNull(fatalRetryMin, "fatalRetryMin");
        Objects.requireNonNull(fatalRetryMax, "fatalRetryMax");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Registration[Port] must be 0-65535, was " + port);
        }
    }
}
