package org.opensipis.sip.app;

import java.time.Duration;
import java.util.Objects;
import org.opensipis.core.settings.ServerSettings;
import org.opensipis.core.settings.TlsServerOptions;

/**
 * How the app leg listens and judges REGISTERs. Immutable; {@link #of} gives the defaults for
 * a process's {@code <Server>} and {@code <TlsServerOptions>}.
 *
 * @param address               listen address ({@code Server[Address]})
 * @param port                  listen port ({@code Server[Port]}); 0 picks a free one (tests)
 * @param tls                   whether the listener speaks TLS ({@code Server[Transport]="Tls"})
 * @param tlsOptions            certificate, key, versions and ciphers when {@code tls}
 * @param realm                 digest realm ({@code Server[Realm]}, default {@code Server[Name]})
 * @param nonceLifetime         how long a nonce is accepted (then {@code 401 stale=true}); 30 min
 * @param grace                 how long past the app's expiry SIPIS waits before taking over; 1 min
 * @param minExpires            shortest Expires accepted (else {@code 423}); 60 s
 * @param maxExpires            longest Expires granted (longer ones are shortened); 3600 s
 * @param authFailuresPerMinute failed authentications allowed per source and selector; 5
 * @param ioThreads             Netty I/O threads ({@code sipis-app-io-*}); 2
 */
public record AppLegConfig(String address, int port, boolean tls, TlsServerOptions tlsOptions, String realm,
                           Duration nonceLifetime, Duration grace, int minExpires, int maxExpires,
                           int authFailuresPerMinute, int ioThreads) {

    public AppLegConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tlsOptions, "tlsOptions");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(nonceLifetime, "nonceLifetime");
        Objects.requireNonNull(grace, "grace");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("app leg port " + port + " is not 0..65535");
        }
        if (minExpires < 1 || maxExpires < minExpires) {
            throw new IllegalArgumentException("app leg expires bounds " + minExpires + ".." + maxExpires + " are not 1 <= min <= max");
        }
        if (tls && (tlsOptions.certificate().isEmpty() || tlsOptions.privateKey().isEmpty())) {
            throw new IllegalArgumentException("Server[Transport]=\"Tls\" needs TlsServerOptions/Certificate[FileName]"
                    + " and TlsServerOptions/PrivateKey[FileName]");
        }
    }

    /** The defaults for one process. */
    public static AppLegConfig of(ServerSettings server, TlsServerOptions tlsOptions) {
        return new AppLegConfig(server.address(), server.port(), server.transport() == ServerSettings.Transport.TLS,
                tlsOptions, server.realm(), Duration.ofMinutes(30), Duration.ofMinutes(1), 60, 3600, 5, 2);
    }

    public AppLegConfig withPort(int newPort) {
        return new AppLegConfig(address, newPort, tls, tlsOptions, realm, nonceLifetime, grace, minExpires, maxExpires,
                authFailuresPerMinute, ioThreads);
    }
}
