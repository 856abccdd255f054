package org.opensipis.sip.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.opensipis.core.settings.TlsClientCertificate;

/**
 * How the registration client's sockets are set up.
 *
 * @param bindAddress        local address for the UDP socket and outgoing connections ("0.0.0.0" = any)
 * @param ioThreads          Netty I/O threads
 * @param trustedCertificates PEM file of trusted CAs; empty = the JVM's system trust store
 * @param clientCertificates client certificates by registrar host
 * @param keepAlive          whether to send keep-alives on registrar flows
 * @param keepAlivePeriod    their period
 * @param connectTimeout     TCP/TLS connect timeout
 */
public record TransportConfig(String bindAddress, int ioThreads, Optional<Path> trustedCertificates,
                              List<TlsClientCertificate> clientCertificates, boolean keepAlive,
                              Duration keepAlivePeriod, Duration connectTimeout) {
    public TransportConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
        clientCertificates = List.copyOf(clientCertificates);
        Objects.requireNonNull(keepAlivePeriod, "keepAlivePeriod");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, was " + ioThreads);
        }
    }
}
