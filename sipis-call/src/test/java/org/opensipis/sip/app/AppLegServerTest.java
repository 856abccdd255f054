package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/** The app leg over real loopback sockets, with a manual owner and a fake clock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppLegServerTest {

    static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    static final String TO_USER = "12869e0e6e553673c54f29105a0647204c416a2a%3A7c3a0d14";
    static final String SECRET = "app-secret-1";

    AppLegHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new AppLegHarness();
        h.directory.records.put(SEL, AppLegHarness.record(SEL, SECRET));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void digestRegisterPutsTheAppInTheForeground() throws Exception {
        try (AppClient app = h.connect()) {
            SipMessage challenge = h.exchange(app, app.register(TO_USER, 600));
            assertThat(challenge.status()).isEqualTo(401);
            String www = challenge.header("www-authenticate").orElseThrow();
            assertThat(www).startsWith("Digest realm=\"sipis.test\"").contains("qop=\"auth\"").contains("algorithm=MD5");

            SipMessage ok = h.exchange(app, AppClient.authorized(app.register(TO_USER, 600), challenge, SEL, SECRET));
            assertThat(ok.status()).isEqualTo(200);
            String contact = ok.header("contact").orElseThrow();
            assertThat(HeaderParams.param(contact, "expires")).isEqualTo("600");
            assertThat(HeaderParams.uri(contact)).startsWith("sip:app@10.0.0.5:50123;transport=tcp;ob");
            assertThat(ok.header("supported")).hasValue("outbound");
            assertThat(ok.header("require")).hasValue("outbound");
            assertThat(HeaderParams.param(ok.header("to").orElseThrow(), "tag")).isNotEmpty();
            assertThat(h.presence.drain()).containsExactly("foreground " + SEL, "progress " + SEL + " -");
            assertThat(h.server.flowOf(SEL)).isPresent();
            AppBinding b = h.server.bindingOf(SEL).orElseThrow();
            assertThat(b.foreground()).isTrue();
            assertThat(b.instanceId()).hasValue("<urn:uuid:00000000-0000-0000-0000-000000000001>");
            assertThat(h.server.stats().registered()).isEqualTo(1);
        }
    }

    @Test
    void theFlowCarriesRequestsToTheApp() throws Exception {
        try (AppClient app = h.connect()) {
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
            h.server.flowOf(SEL).orElseThrow().send("OPTIONS sip:app@10.0.0.5 SIP/2.0\r\nVia: SIP/2.0/TCP x;branch=z9hG4bK-o\r\n"
                    + "From: <sip:p@h>;tag=1\r\nTo: <sip:app@h>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
            assertThat(SipMessage.parse(h.next(app)).method()).isEqualTo("OPTIONS");
        }
    }

    @Test
    void aWrongSecretIsForbidden() throws Exception {
        try (AppClient app = h.connect()) {
            SipMessage r = h.register(app, TO_USER, SEL, "guess", 600);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("x-sipis-reason")).hasValue("Bad-Credentials");
            assertThat(h.presence.drain()).isEmpty();
            assertThat(h.server.flowOf(SEL)).isEmpty();
            assertThat(h.server.stats().authFailures()).isEqualTo(1);
        }
    }

    @Test
    void aUserNameOtherThanTheSelectorIsForbidden() throws Exception {
        try (AppClient app = h.connect()) {
            assertThat(h.register(app, TO_USER, "alice", SECRET, 600).status()).isEqualTo(403);
            assertThat(h.presence.drain()).isEmpty();
        }
    }

    @Test
    void anUnknownSelectorIsToldToRegisterOverHttpsFirst() throws Exception {
        try (AppClient app = h.connect()) {
            SipMessage r = h.exchange(app, app.register("ABCDEF", 600));
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("x-sipis-reason")).hasValue("Unknown-Selector");
            assertThat(r.header("warning")).hasValue("399 sipis \"register at sipisRegServer first\"");
            assertThat(h.server.stats().unknownSelector()).isEqualTo(1);
        }
    }

    @Test
    void aSelectorOutsideTheShardIsRefused() throws Exception {
        h.directory.elsewhere.add(SEL);
        try (AppClient app = h.connect()) {
            SipMessage r = h.exchange(app, app.register(TO_USER, 600));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("x-sipis-reason")).hasValue("Not-In-Shard");
            h.directory.elsewhere.add("ABCDEF");
            SipMessage unknown = h.exchange(app, app.register("ABCDEF", 600));
            assertThat(unknown.header("x-sipis-reason")).hasValue("Not-In-Shard");
        }
    }

    @Test
    void aBadSelectorIsABadRequest() throws Exception {
        try (AppClient app = h.connect()) {
            SipMessage r = h.exchange(app, app.register("not-hex", 600));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("x-sipis-reason")).hasValue("Bad-Selector");
            assertThat(r.header("warning").orElseThrow()).contains("not-hex");
        }
    }

    @Test
    void theSelectorHeaderWinsOverTheToUser() throws Exception {
        try (AppClient app = h.connect()) {
            SipMessage r = h.register(app, "someone-else", SEL, SECRET, 600, "X-Sipis-Selector: " + SEL);
            assertThat(r.status()).isEqualTo(200);
            assertThat(h.server.flowOf(SEL)).isPresent();
        }
    }

    @Test
    void expiresZeroHandsTheRegistrationBackToSipis() throws Exception {
        try (AppClient app = h.connect()) {
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
            h.presence.drain();
            SipMessage r = h.register(app, TO_USER, SEL, SECRET, 0);
            assertThat(r.status()).isEqualTo(200);
            assertThat(h.presence.drain()).containsExactly("background " + SEL, "progress " + SEL + " -");
            assertThat(h.server.bindingOf(SEL).orElseThrow().foreground()).isFalse();
            assertThat(h.owner.pendingTimers()).isZero();
            h.owner.advance(Duration.ofHours(2));
            assertThat(h.presence.drain()).isEmpty();
        }
    }

    @Test
    void noRefreshForAMinutePastExpiryHandsOverToSipis() throws Exception {
        try (AppClient app = h.connect()) {
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
            h.owner.advance(Duration.ofSeconds(500));
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
            assertThat(h.presence.drain()).containsExactly("foreground " + SEL, "progress " + SEL + " -",
                    "foreground " + SEL, "progress " + SEL + " -");
            h.owner.advance(Duration.ofSeconds(600 + 59));
            assertThat(h.presence.drain()).isEmpty();
            h.owner.advance(Duration.ofSeconds(1));
            assertThat(h.presence.drain()).containsExactly("background " + SEL);
            assertThat(h.server.stats().lapsed()).isEqualTo(1);
            assertThat(h.server.bindingOf(SEL).orElseThrow().foreground()).isFalse();
            h.owner.advance(Duration.ofHours(1));
            assertThat(h.presence.drain()).isEmpty();
        }
    }

    @Test
    void aRegisterWithAPairingIdSignalsProgress() throws Exception {
        try (AppClient app = h.connect()) {
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600, "X-Sipis-Pairing-Id: p-42").status()).isEqualTo(200);
            assertThat(h.presence.drain()).containsExactly("foreground " + SEL, "progress " + SEL + " p-42");
        }
    }

    @Test
    void failedAuthenticationsAreRateLimitedPerSource() throws Exception {
        try (AppClient app = h.connect()) {
            for (int i = 0; i < 5; i++) {
                assertThat(h.register(app, TO_USER, SEL, "guess" + i, 600).header("x-sipis-reason")).hasValue("Bad-Credentials");
            }
            SipMessage limited = h.register(app, TO_USER, SEL, SECRET, 600);
            assertThat(limited.status()).isEqualTo(403);
            assertThat(limited.header("x-sipis-reason")).hasValue("Too-Many-Auth-Failures");
            assertThat(h.server.stats().rateLimited()).isEqualTo(1);
            h.owner.advance(Duration.ofSeconds(12)); // one try earned back (5 per minute)
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
        }
    }

    @Test
    void anExpiredNonceIsChallengedAgainAsStale() throws Exception {
        try (AppClient app = h.connect()) {
            SipMessage challenge = h.exchange(app, app.register(TO_USER, 600));
            h.owner.advance(Duration.ofMinutes(31));
            SipMessage stale = h.exchange(app, AppClient.authorized(app.register(TO_USER, 600), challenge, SEL, SECRET));
            assertThat(stale.status()).isEqualTo(401);
            assertThat(stale.header("www-authenticate").orElseThrow()).contains("stale=true");
            SipMessage ok = h.exchange(app, AppClient.authorized(app.register(TO_USER, 600), stale, SEL, SECRET));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(h.server.stats().authFailures()).isZero();
        }
    }

    @Test
    void aTooBriefExpiresIsRefused() throws Exception {
        try (AppClient app = h.connect()) {
            SipMessage r = h.register(app, TO_USER, SEL, SECRET, 10);
            assertThat(r.status()).isEqualTo(423);
            assertThat(r.header("min-expires")).hasValue("60");
            assertThat(h.presence.drain()).isEmpty();
        }
    }

    @Test
    void aBadExpiresIsABadRequestAndTheFlowStaysOpen() throws Exception {
        try (AppClient app = h.connect()) {
            String bad = app.register(TO_USER, 600).replace("Expires: 600", "Expires: soon");
            SipMessage challenge = h.exchange(app, bad);
            SipMessage refused = h.exchange(app, AppClient.authorized(bad, challenge, SEL, SECRET));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.header("warning").orElseThrow()).contains("expires");
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
        }
    }

    @Test
    void pingsAreAnsweredWithPongs() throws Exception {
        try (AppClient app = h.connect()) {
            app.send("\r\n\r\n");
            assertThat(h.next(app)).isEqualTo(AppClient.PONG);
            app.send("\r\n\r\n");
            assertThat(h.next(app)).isEqualTo(AppClient.PONG);
            assertThat(h.server.stats().pings()).isEqualTo(2);
        }
    }

    @Test
    void otherRequestsAreRefusedUntilAuthenticatedThenNotImplemented() throws Exception {
        try (AppClient app = h.connect()) {
            String bye = "BYE sip:sipis.test SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.5;branch=z9hG4bK-b\r\nFrom: <sip:a@b>;tag=1\r\n"
                    + "To: <sip:c@d>;tag=2\r\nCall-ID: b1\r\nCSeq: 7 BYE\r\nContent-Length: 0\r\n\r\n";
            SipMessage refused = h.exchange(app, bye);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.header("x-sipis-reason")).hasValue("Not-Authenticated");
            assertThat(h.register(app, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
            assertThat(h.exchange(app, bye).status()).isEqualTo(501);
            assertThat(h.server.stats().notImplemented()).isEqualTo(1);
        }
    }

    @Test
    void malformedInputClosesOnlyItsFlow() throws Exception {
        try (AppClient good = h.connect(); AppClient unframed = h.connect(); AppClient unparsable = h.connect()) {
            unframed.send("HELLO\r\n\r\n");
            unparsable.send("NOT A SIP LINE\r\nContent-Length: 0\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> unframed.closedByServer && unparsable.closedByServer);
            assertThat(h.server.stats().malformed()).isEqualTo(2);
            assertThat(h.register(good, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
        }
    }

    @Test
    void aNewFlowReplacesTheOldOneAndAClosedFlowIsNotOffered() throws Exception {
        try (AppClient first = h.connect(); AppClient second = h.connect()) {
            assertThat(h.register(first, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
            AppFlow f1 = h.server.flowOf(SEL).orElseThrow();
            assertThat(h.register(second, TO_USER, SEL, SECRET, 600).status()).isEqualTo(200);
            AppFlow f2 = h.server.flowOf(SEL).orElseThrow();
            assertThat(f2.id()).isNotEqualTo(f1.id());
            second.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> h.server.flowOf(SEL).isEmpty());
            assertThat(h.server.bindingOf(SEL).orElseThrow().foreground()).isTrue();
        }
    }
}
