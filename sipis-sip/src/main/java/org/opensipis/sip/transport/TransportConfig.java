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
 * @param bindPort           local UDP port ({@code Registration[Port]}); 0 = chosen by the OS
 */
public record TransportConfig(String bindAddress, int ioThreads, Optional<Path> trustedCertificates,
                              List<TlsClientCertificate> clientCertificates, boolean keepAlive,
                              Duration keepAlivePeriod, Duration connectTimeout, int bindPort) {

    /** On a port chosen by the OS. */
    public TransportConfig(String bindAddress, int ioThreads, Optional<Path> trustedCertificates,
                           List<TlsClientCertificate> clientCertificates, boolean keepAlive,
                           Duration keepAlivePeriod, Duration connectTimeout) {
        this(bindAddress, ioThreads, trustedCertificates, clientCertificates, keepAlive, keepAlivePeriod, connectTimeout, 0);
    }

    public TransportConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
        clientCertificates = List.copyOf(clientCertificates);
        Objects.requireNonNull(keepAlivePeriod, "keepAlivePeriod");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bindPort must be 0-65535, was " + bindPort);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, was " + ioThreads);
        }
    }
}
