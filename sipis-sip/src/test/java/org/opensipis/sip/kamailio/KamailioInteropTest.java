package org.opensipis.sip.kamailio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.Kamailio;

/**
 * Interop with a real Kamailio registrar (digest via auth_db) over UDP, TCP and TLS, with and
 * without qop; the bindings are read back from Kamailio's location table with kamcmd ul.dump.
 * Skipped only when the kamailio binary is absent (CI installs it: .ci/install.d/20-kamailio.sh).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KamailioInteropTest {

    private static Kamailio kamailio;
    private EngineHarness h;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Kamailio.BINARY), "kamailio is not installed");
        kamailio = new Kamailio(Map.of("alice", "secret", "qbob", "s3cret", "carol", "pw", "qdave", "pw2",
                "erin", "pw3", "qfrank", "pw4", "mallory", "right"), 2);
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

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"UDP,alice,secret", "UDP,qbob,s3cret", "TCP,carol,pw", "TCP,qdave,pw2", "TLS,erin,pw3", "TLS,qfrank,pw4"})
    void registersAndKamailioHoldsTheBinding(Transport t, String user, String password) throws Exception {
        h = new EngineHarness(EngineHarness.settings(), Optional.of(kamailio.certificate()), false, Duration.ofSeconds(30));
        String sel = "ABCDEF0" + t.ordinal() + (user.startsWith("q") ? "1" : "0");
        int port = t == Transport.TLS ? kamailio.tlsPort() : kamailio.port();
        InstanceRecord r = EngineHarness.record(sel, user, password, port, t);
        h.engine.register(r, Optional.empty());
        h.awaitState(sel, RegistrationState.REGISTERED);

        String dump = kamailio.kamcmd("ul.dump");
        assertThat(dump).contains("AoR: " + user);
        assertThat(dump).contains("sip:s" + sel + "@127.0.0.1:");
        if (t != Transport.UDP) {
            assertThat(dump).contains("transport=" + t.name().toLowerCase());
        }
        assertThat(h.engine.stats().responsesByCode()).containsEntry(401, 1L).containsEntry(200, 1L);

        // a refresh reuses the cached challenge: no new 401 while the nonce is fresh
        h.advance(Duration.ofSeconds(300));
        h.settle(() -> h.engine.stats().responsesByCode().getOrDefault(200, 0L) == 2L);

        h.engine.setIdle(sel);
        h.awaitState(sel, RegistrationState.IDLE);
        assertThat(kamailio.kamcmd("ul.dump")).doesNotContain("sip:s" + sel + "@");
    }

    @Test
    void wrongPasswordIsUnauthorized() throws Exception {
        h = new EngineHarness(EngineHarness.settings());
        h.engine.register(EngineHarness.record("BADBAD", "mallory", "wrong", kamailio.port(), Transport.UDP), Optional.empty());
        h.awaitState("BADBAD", RegistrationState.UNAUTHORIZED);
        assertThat(h.engine.state("BADBAD").orElseThrow().reason()).startsWith("401");
    }
}
