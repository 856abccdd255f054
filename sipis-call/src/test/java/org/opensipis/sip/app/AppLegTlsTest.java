package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.settings.TlsServerOptions;

/** The app leg with Server[Transport]="Tls": a TLS app flow registers; a missing key is named. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppLegTlsTest {

    static final String SEL = "AB12CD34";

    @TempDir
    Path dir;

    @Test
    void anAppRegistersOverTls() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        makeCertificate(cert, key);
        TlsServerOptions tls = new TlsServerOptions("1.2", "1.3", Optional.of(cert), Optional.of(key), List.of());
        AppLegConfig cfg = new AppLegConfig("127.0.0.1", 0, true, tls, AppLegHarness.REALM, Duration.ofMinutes(30),
                Duration.ofMinutes(1), 60, 3600, 5, 1);
        try (AppLegHarness h = new AppLegHarness(cfg)) {
            h.directory.records.put(SEL, AppLegHarness.record(SEL, "tls-secret"));
            SSLSocket socket = (SSLSocket) trusting(cert).getSocketFactory().createSocket("127.0.0.1", h.server.port());
            socket.startHandshake();
            try (AppClient app = new AppClient(socket)) {
                assertThat(h.register(app, SEL, SEL, "tls-secret", 600).status()).isEqualTo(200);
                assertThat(h.server.flowOf(SEL).orElseThrow().transport()).isEqualTo("TLS");
                app.send("\r\n\r\n");
                assertThat(h.next(app)).isEqualTo(AppClient.PONG);
            }
        }
    }

    @Test
    void aMissingCertificateIsNamed() {
        Path missing = dir.resolve("missing.pem");
        TlsServerOptions tls = new TlsServerOptions("1.2", "1.3", Optional.of(missing), Optional.of(missing), List.of());
        AppLegConfig cfg = new AppLegConfig("127.0.0.1", 0, true, tls, AppLegHarness.REALM, Duration.ofMinutes(30),
                Duration.ofMinutes(1), 60, 3600, 5, 1);
        assertThatThrownBy(() -> new AppLegHarness(cfg)).isInstanceOf(IOException.class)
                .hasMessageContaining("TlsServerOptions").hasMessageContaining("missing.pem");
    }

    private static void makeCertificate(Path cert, Path key) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Process p = new ProcessBuilder("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl made a certificate").isTrue();
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            ks.setCertificateEntry("app-leg", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
