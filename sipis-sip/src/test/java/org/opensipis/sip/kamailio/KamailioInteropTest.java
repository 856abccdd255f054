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

    /**
     * The production form: instances owned by the transport's I/O event loops (empty owners), the
     * throttle on the UDP loop, real threads and clock; register over UDP, refresh by a short
     * Expires, then Idle removes the binding.
     */
    @Test
    void registersWithOwnersOnTheIoLoops() throws Exception {
        java.util.List<org.opensipis.core.instance.InstanceState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
        var rs = new org.opensipis.core.settings.RegistrationSettings(1000, 1000, 100, 0.5, 0.0, Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(80), Duration.ofSeconds(60), Duration.ofSeconds(240),
                Duration.ofSeconds(300), Duration.ofSeconds(1200), Duration.ofSeconds(2))
                .withUnregisterOnStop(true); // decommissioning: closing the engine removes the bindings (checked last)
        var tc = new org.opensipis.sip.transport.TransportConfig("127.0.0.1", 2, Optional.empty(), java.util.List.of(),
                false, Duration.ofSeconds(30), Duration.ofSeconds(5));
        var cfg = new org.opensipis.sip.registration.EngineConfig("test-server", Optional.empty(), "SIPIS-test/1.0", rs,
                tc, java.time.Clock.systemUTC(), java.util.List.of(), Optional.empty(),
                new org.opensipis.sip.dns.DnsjavaLookup(), Runnable::run, new java.util.Random(7), true, 500,
                EngineHarness.LOOPBACK); // Kamailio listens on loopback: opted in, as an operator would
        try (var engine = org.opensipis.sip.registration.RegistrationEngines.open(cfg, states::add)) {
            for (String sel : java.util.List.of("AB0001", "AB0002", "AB0003")) {
                engine.register(EngineHarness.record(sel, "alice", "secret", kamailio.port(), Transport.UDP), Optional.empty());
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.snapshot().stream()
                    .filter(s -> s.state() == RegistrationState.REGISTERED).count() == 3);
            assertThat(kamailio.kamcmd("ul.dump")).contains("sip:sAB0001@127.0.0.1:", "sip:sAB0002@127.0.0.1:",
                    "sip:sAB0003@127.0.0.1:");
            // Expires 5 s refreshed at 50 %: a second 200 for each, timers on the event loops
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> engine.stats().responsesByCode().getOrDefault(200, 0L) >= 6L);
            engine.setIdle("AB0002");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> engine.state("AB0002").orElseThrow().state() == RegistrationState.IDLE);
            assertThat(kamailio.kamcmd("ul.dump")).doesNotContain("sip:sAB0002@").contains("sip:sAB0001@");
        }
        assertThat(kamailio.kamcmd("ul.dump")).doesNotContain("sip:sAB0001@", "sip:sAB0003@");
    }

    @Test
    void wrongPasswordIsUnauthorized() throws Exception {
        h = new EngineHarness(EngineHarness.settings());
        h.engine.register(EngineHarness.record("BADBAD", "mallory", "wrong", kamailio.port(), Transport.UDP), Optional.empty());
        h.awaitState("BADBAD", RegistrationState.UNAUTHORIZED);
        assertThat(h.engine.state("BADBAD").orElseThrow().reason()).startsWith("401");
    }
}
