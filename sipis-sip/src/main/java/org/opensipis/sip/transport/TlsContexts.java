package org.opensipis.sip.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.opensipis.core.settings.TlsClientCertificate;

/**
 * TLS client contexts: one verifying against {@code TrustedCertificates} (or the system store),
 * plus one per registrar host that has a client certificate. Built once; immutable.
 */
final class TlsContexts {

    private final SslContext plain;
    private final Map<String, SslContext> byHost = new HashMap<>();

    TlsContexts(Optional<Path> trusted, List<TlsClientCertificate> clientCerts) throws IOException {
        plain = builder(trusted).build();
        for (TlsClientCertificate c : clientCerts) {
            try {
                byHost.put(c.host().toLowerCase(Locale.ROOT),
                        builder(trusted).keyManager(c.fileName().toFile(), c.privateKeyFileName().toFile()).build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new IOException("TlsClientCertificates: cannot load the certificate for host " + c.host()
                        + " from " + c.fileName() + " / " + c.privateKeyFileName() + " (PEM, PKCS#8 key): " + e.getMessage(), e);
            }
        }
    }

    private static SslContextBuilder builder(Optional<Path> trusted) {
        SslContextBuilder b = SslContextBuilder.forClient();
        trusted.ifPresent(p -> b.trustManager(p.toFile()));
        return b;
    }

    SslContext forHost(String host) {
        return byHost.getOrDefault(host.toLowerCase(Locale.ROOT), plain);
    }
}
