package org.opensipis.sip.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                if (!keyMatches(c)) {
                    throw new IllegalArgumentException("the private key does not belong to the certificate");
                }
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

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /**
     * Netty accepts a key that belongs to another certificate; every handshake would then fail at the
     * registrar. Checks an unencrypted PKCS#8 RSA/EC/EdDSA key by a signature over a few bytes; any
     * other form Netty accepted is left to the handshake (true).
     */
    private static boolean keyMatches(TlsClientCertificate c) throws IOException {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(c.fileName())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            return true;
        }
        Matcher m = PKCS8.matcher(Files.readString(c.privateKeyFileName(), StandardCharsets.US_ASCII));
        PublicKey pub = cert.getPublicKey();
        String alg = switch (pub.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> pub.getAlgorithm();
            default -> null;
        };
        if (!m.find() || alg == null) {
            return true;
        }
        try {
            PrivateKey key = KeyFactory.getInstance(pub.getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1))));
            byte[] probe = "sipis".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            Signature verify = Signature.getInstance(alg);
            verify.initVerify(pub);
            verify.update(probe);
            return verify.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return true; // a form we do not check here; Netty read it
        }
    }

    SslContext forHost(String host) {
        return byHost.getOrDefault(host.toLowerCase(Locale.ROOT), plain);
    }
}
