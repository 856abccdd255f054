package org.opensipis.sip.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.settings.TlsClientCertificate;
import org.opensipis.sip.testing.Kamailio;

/** {@code TlsClientCertificates} files: a bad one stops startup with the setting, host and file named. */
class TlsContextsTest {

    @TempDir
    static Path dir;
    static Path cert;
    static Path key;
    static Path otherKey;

    @BeforeAll
    static void certificates() throws Exception {
        cert = dir.resolve("client.pem");
        key = dir.resolve("client.key");
        otherKey = dir.resolve("other.key");
        Kamailio.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=sipis-client"));
        Kamailio.run(List.of("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", otherKey.toString()));
    }

    @Test
    void aGoodCertificateIsUsedForItsHostOnly() throws Exception {
        TlsContexts t = new TlsContexts(Optional.empty(),
                List.of(new TlsClientCertificate("Registrar.Example.COM", cert, key)));
        assertThat(t.forHost("registrar.example.com")).isNotSameAs(t.forHost("other.example.com"));
        assertThat(t.forHost("other.example.com")).isSameAs(t.forHost("127.0.0.1"));
    }

    @Test
    void aMissingCertificateFileIsNamed() {
        Path missing = dir.resolve("missing.pem");
        assertStartupError(new TlsClientCertificate("registrar.example.com", missing, key), missing);
    }

    @Test
    void aKeyFileThatIsNotAKeyIsNamed() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.key"),
                "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n");
        assertStartupError(new TlsClientCertificate("registrar.example.com", cert, garbage), garbage);
    }

    @Test
    void aCertificateFileThatIsNotACertificateIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        assertStartupError(new TlsClientCertificate("registrar.example.com", text, key), text);
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsNamed() {
        assertStartupError(new TlsClientCertificate("registrar.example.com", cert, otherKey), otherKey);
    }

    private static void assertStartupError(TlsClientCertificate c, Path file) {
        assertThatThrownBy(() -> new TlsContexts(Optional.empty(), List.of(c)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("TlsClientCertificates: cannot load the certificate for host registrar.example.com")
                .hasMessageContaining(file.toString());
    }
}
