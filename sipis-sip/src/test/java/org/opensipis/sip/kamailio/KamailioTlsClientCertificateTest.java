package org.opensipis.sip.kamailio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.settings.TlsClientCertificate;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.Kamailio;

/**
 * {@code TlsClientCertificates} against a real Kamailio whose TLS listener requires and verifies a
 * client certificate (tls module: {@code require_certificate}, {@code verify_certificate}, a CA
 * list). A small CA and client certificates are made with openssl in a temporary directory.
 * Skipped only when the kamailio binary is absent (CI installs it: .ci/install.d/20-kamailio.sh).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KamailioTlsClientCertificateTest {

    @TempDir
    static Path certs;
    private static Kamailio kamailio;
    private static TlsClientCertificate good;
    private static TlsClientCertificate otherCa;
    private EngineHarness h;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Kamailio.BINARY), "kamailio is not installed");
        Path ca = ca("trusted-ca");
        Path rogue = ca("rogue-ca");
        good = new TlsClientCertificate("127.0.0.1", clientCertificate(ca, "good"), certs.resolve("good.key"));
        otherCa = new TlsClientCertificate("127.0.0.1", clientCertificate(rogue, "other"), certs.resolve("other.key"));
        kamailio = new Kamailio(Map.of("tina", "pw5", "qtom", "pw6", "ursula", "pw7", "victor", "pw8"), 2,
                Optional.of(ca.resolveSibling("trusted-ca.pem")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kamailio != null) {
            kamailio.close();
        }
    }

    @AfterEach
    void closeEngine() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void withTheClientCertificateForTheHostTheRegistrarAcceptsUs() throws Exception {
        h = harness(List.of(good));
        h.engine.register(EngineHarness.record("C1E471", "tina", "pw5", kamailio.mutualTlsPort(), Transport.TLS),
                Optional.empty());
        h.awaitState("C1E471", RegistrationState.REGISTERED);
        String dump = kamailio.kamcmd("ul.dump");
        assertThat(dump).contains("AoR: tina").contains("sip:sC1E471@127.0.0.1:").contains("transport=tls");
        assertThat(h.engine.stats().transportErrors()).isZero();
    }

    @Test
    void withoutAClientCertificateTheHandshakeFailsAndTheEngineBacksOff() throws Exception {
        h = harness(List.of());
        assertRejectedWithBackoff("C1E472", "ursula", "pw7");
    }

    @Test
    void aCertificateFromAnotherCaIsRejected() throws Exception {
        h = harness(List.of(otherCa));
        assertRejectedWithBackoff("C1E473", "victor", "pw8");
    }

    @Test
    void aCertificateConfiguredForAnotherHostIsNotPresented() throws Exception {
        h = harness(List.of(new TlsClientCertificate("registrar.example.net", good.fileName(), good.privateKeyFileName())));
        assertRejectedWithBackoff("C1E474", "qtom", "pw6");
    }

    private void assertRejectedWithBackoff(String sel, String user, String password) throws Exception {
        h.engine.register(EngineHarness.record(sel, user, password, kamailio.mutualTlsPort(), Transport.TLS),
                Optional.empty());
        h.awaitState(sel, RegistrationState.ERROR);
        InstanceState s = h.engine.state(sel).orElseThrow();
        // TLS 1.3: Kamailio judges the client certificate after our side of the handshake is done and
        // answers with an alert, so the failure surfaces as the connection closing with that alert
        assertThat(s.reason()).startsWith("transport: TLS connection to /127.0.0.1:" + kamailio.mutualTlsPort() + " closed")
                .contains("certificate_required").contains("TlsClientCertificates");
        assertThat(kamailio.kamcmd("ul.dump")).doesNotContain("sip:s" + sel + "@");
        long errors = h.engine.stats().transportErrors();
        assertThat(errors).isEqualTo(1);

        // transient backoff (test settings: 10 s doubling to 80 s): nothing before it, a retry after
        h.advance(Duration.ofSeconds(9));
        h.owner.runReady();
        assertThat(h.engine.stats().transportErrors()).isEqualTo(1);
        h.advance(Duration.ofSeconds(1));
        h.settle(() -> h.engine.stats().transportErrors() == 2);
        assertThat(h.stateOf(sel)).isEqualTo(RegistrationState.ERROR);
        h.advance(Duration.ofSeconds(19));
        h.owner.runReady();
        assertThat(h.engine.stats().transportErrors()).isEqualTo(2);
        h.advance(Duration.ofSeconds(1));
        h.settle(() -> h.engine.stats().transportErrors() == 3);
        assertThat(h.stateOf(sel)).isEqualTo(RegistrationState.ERROR);
        assertThat(h.engine.stats().responsesByCode()).isEmpty();
    }

    private static EngineHarness harness(List<TlsClientCertificate> clientCerts) throws Exception {
        return new EngineHarness(EngineHarness.settings(), Optional.of(kamailio.certificate()), clientCerts, false,
                Duration.ofSeconds(30), new DnsjavaLookup());
    }

    /** A self-signed CA; returns its key, next to {@code <name>.pem}. */
    private static Path ca(String name) throws Exception {
        Path key = certs.resolve(name + ".key");
        Kamailio.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", certs.resolve(name + ".pem").toString(), "-days", "2", "-subj", "/CN=SIPIS test " + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        return key;
    }

    /** A client certificate {@code <name>.pem} (key {@code <name>.key}, PKCS#8) issued by the CA. */
    private static Path clientCertificate(Path caKey, String name) throws Exception {
        Path caCert = caKey.resolveSibling(caKey.getFileName().toString().replace(".key", ".pem"));
        Path csr = certs.resolve(name + ".csr");
        Path ext = certs.resolve(name + ".ext");
        Path cert = certs.resolve(name + ".pem");
        Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=clientAuth\n");
        Kamailio.run(List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", certs.resolve(name + ".key").toString(),
                "-out", csr.toString(), "-subj", "/CN=sipis-" + name));
        Kamailio.run(List.of("openssl", "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(),
                "-CAkey", caKey.toString(), "-CAcreateserial", "-out", cert.toString(), "-days", "2",
                "-extfile", ext.toString()));
        return cert;
    }
}
