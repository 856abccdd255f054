package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.call.InMemoryCallLog;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.settings.IncomingCallSettings;
import org.opensipis.core.settings.RejectWith;
import org.opensipis.sip.call.CallConfig;
import org.opensipis.sip.call.Directory;
import org.opensipis.sip.call.IncomingListener;
import org.opensipis.sip.call.IncomingRequests;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.ManualOwner;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.sip.relay.CallProgress;
import org.opensipis.sip.relay.CallRelay;
import org.opensipis.sip.transport.Flow;
import org.opensipis.sip.transport.SipEndpoint;
import org.opensipis.sip.transport.TransportConfig;

/**
 * The relay end to end on loopback, real threads and sockets: a hand-written upstream proxy on
 * UDP sends the INVITE to IncomingRequests' UDP port, a hand-written app UA on TCP registers with
 * the app leg (the fast channel), gets the relayed INVITE and answers; BYE either way; CANCEL.
 */
@Timeout(60)
class RelayedCallEndToEndTest {

    static final String SELECTOR = "AB12CD34";
    static final String SECRET = "app-secret";
    static final String OFFER = "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0\r\n";
    static final String ANSWER = "v=0\r\no=app 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 50000 RTP/AVP 0\r\n";

    final ThreadOwner appOwner = new ThreadOwner("sipis-test-app");
    /** The relay on a manual owner, run by every wait of the test: its 2xx retransmission follows {@link #clock}. */
    final FakeClock clock = new FakeClock();
    final ManualOwner relayOwner = new ManualOwner(clock);
    /** The instance's owner (incoming-call state, T1/T2) on the same fake clock as the relay. */
    final ManualOwner instanceOwner = new ManualOwner(clock);
    final BlockingQueue<String> pairingIds = new LinkedBlockingQueue<>();
    IncomingRequests incoming;
    SipEndpoint transport;
    AppLegServer appLeg;
    CallRelay relay;
    Upstream upstream;
    AppClient app;

    @BeforeEach
    void start() throws IOException {
        InstanceRecord record = AppLegHarness.record(SELECTOR, SECRET);
        record = new InstanceRecord(record.selector(), record.appId(), false, record.account(), record.appSecret(),
                List.of(new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.example.app",
                        "tok", Instant.parse("2026-01-01T00:00:00Z"))), record.lastAppContact(), false);
        InstanceRecord r = record;
        PushService push = (PushRequest req) -> {
            req.pairingId().ifPresent(pairingIds::add);
            return CompletableFuture.completedFuture(new PushOutcome.Accepted("id"));
        };
        CallConfig cc = new CallConfig(new IncomingCallSettings(Duration.ofSeconds(30), Duration.ofSeconds(30),
                new RejectWith(480, "Temporarily Unavailable")), List.of(), "SIPIS-relay-test", Optional.empty(),
                Clock.systemUTC(), new SecureRandom(), 500, 100, 5);
        Directory dir = user -> ("s" + SELECTOR).equals(user)
                ? Optional.of(new Directory.Callee(SELECTOR, r, instanceOwner)) : Optional.empty();
        relay = new CallRelay(selector -> appLeg.bindingOf(selector), relayOwner, new SecureRandom(), AppLegHarness.REALM);
        incoming = new IncomingRequests(cc, dir, push, new InMemoryCallLog(), IncomingListener.NONE, relay::fromUpstream);
        transport = SipEndpoint.open(new TransportConfig("127.0.0.1", 1, Optional.empty(), List.of(), false,
                Duration.ofSeconds(30), Duration.ofSeconds(5)),
                ep -> new SipEndpoint.Routes(incoming::onRequest, List.of(relay::upstreamResponse), flow -> { }));
        AppLegHarness.Directory appDir = new AppLegHarness.Directory();
        appDir.records.put(SELECTOR, r);
        RelayRig.RelayPresence presence = new RelayRig.RelayPresence(new java.util.concurrent.ConcurrentLinkedQueue<>());
        presence.relay = relay;
        presence.progressOf = new CallProgress(incoming, relay);
        appLeg = AppLegServer.start(AppLegHarness.config(0), appDir, presence, appOwner, Clock.systemUTC());
        upstream = new Upstream(transport.udpPort(), this::drive);
    }

    @AfterEach
    void stop() throws IOException {
        if (app != null) {
            app.close();
        }
        upstream.close();
        appLeg.close();
        transport.close();
        appOwner.close();
    }

    @Test
    void answeredCallIsRelayedAndTheCallerHangsUp() throws Exception {
        Call call = answeredCall(true);

        upstream.send(call.inDialog("BYE", 2, upstream.branch()));
        SipMessage ok = upstream.expect(m -> m.status() == 200 && cseq(m).endsWith("BYE"));
        assertThat(ok.callId()).isEqualTo(call.callId);
        SipMessage bye = appNext(m -> "BYE".equals(m.method()));
        assertThat(bye.callId()).isEqualTo(call.appInvite.callId());
        assertThat(HeaderParams.param(bye.header("to").orElseThrow(), "tag")).isEqualTo("app-tag");
        app.send(RelayMessagesForTest.response(bye, 200, "OK"));
    }

    @Test
    void theAppHangingUpReachesTheCallerAsBye() throws Exception {
        Call call = answeredCall(true);

        app.send(call.appRequest("BYE", 2));
        SipMessage ok = appNext(m -> m.status() == 200 && cseq(m).endsWith("BYE"));
        assertThat(ok.callId()).isEqualTo(call.appInvite.callId());
        SipMessage bye = upstream.expect(m -> "BYE".equals(m.method()));
        assertThat(bye.requestUri()).isEqualTo("sip:bob@127.0.0.1:" + upstream.port());
        assertThat(bye.callId()).isEqualTo(call.callId);
        assertThat(bye.headers("route")).containsExactly("<sip:127.0.0.1:" + upstream.port() + ";lr>");
        assertThat(HeaderParams.param(bye.header("from").orElseThrow(), "tag")).isEqualTo(call.toTag);
        assertThat(HeaderParams.param(bye.header("to").orElseThrow(), "tag")).isEqualTo("caller-tag");
        upstream.send(RelayMessagesForTest.response(bye, 200, "OK"));
    }

    @Test
    void callerReInviteAndInfoAreRelayedToTheApp() throws Exception {
        Call call = answeredCall(true);

        String hold = OFFER.replace("m=audio", "a=sendonly\r\nm=audio");
        upstream.send(call.inDialogWithBody("INVITE", 2, upstream.branch(), hold));
        SipMessage reinvite = appNext(m -> "INVITE".equals(m.method()));
        assertThat(reinvite.callId()).isEqualTo(call.appInvite.callId());
        assertThat(reinvite.body()).isEqualTo(hold);
        assertThat(HeaderParams.param(reinvite.header("to").orElseThrow(), "tag")).isEqualTo("app-tag");
        app.send(RelayMessagesForTest.responseTagged(reinvite, 200, "OK", null, ANSWER));
        SipMessage ack = appNext(m -> "ACK".equals(m.method()));
        assertThat(cseq(ack)).isEqualTo(reinvite.cseq() + " ACK");
        SipMessage ok = upstream.expect(m -> m.status() == 200 && cseq(m).equals("2 INVITE"));
        assertThat(ok.body()).isEqualTo(ANSWER);
        assertThat(ok.header("contact")).isPresent();
        upstream.send(call.inDialog("ACK", 2, upstream.branch()));

        upstream.send(call.inDialogWithBody("INFO", 3, upstream.branch(), "Signal=5\r\nDuration=160\r\n"));
        SipMessage info = appNext(m -> "INFO".equals(m.method()));
        assertThat(info.body()).isEqualTo("Signal=5\r\nDuration=160\r\n");
        app.send(RelayMessagesForTest.response(info, 200, "OK"));
        upstream.expect(m -> m.status() == 200 && cseq(m).equals("3 INFO"));
    }

    @Test
    void appReInviteUpdateAndInfoAreRelayedToTheCaller() throws Exception {
        Call call = answeredCall(true);

        String hold = ANSWER.replace("m=audio", "a=sendonly\r\nm=audio");
        app.send(call.appRequestWithBody("INVITE", 2, hold));
        SipMessage reinvite = upstream.expect(m -> "INVITE".equals(m.method()) && call.callId.equals(m.callId()));
        assertThat(reinvite.requestUri()).isEqualTo("sip:bob@127.0.0.1:" + upstream.port());
        assertThat(reinvite.headers("route")).containsExactly("<sip:127.0.0.1:" + upstream.port() + ";lr>");
        assertThat(HeaderParams.param(reinvite.header("from").orElseThrow(), "tag")).isEqualTo(call.toTag);
        assertThat(HeaderParams.param(reinvite.header("to").orElseThrow(), "tag")).isEqualTo("caller-tag");
        assertThat(reinvite.header("contact").orElseThrow()).contains("s" + SELECTOR + "@");
        assertThat(reinvite.cseq()).isGreaterThan(1);
        assertThat(reinvite.body()).isEqualTo(hold);
        String held = OFFER.replace("m=audio", "a=recvonly\r\nm=audio");
        upstream.send(RelayMessagesForTest.responseTagged(reinvite, 200, "OK", null, held));
        SipMessage ok = appNext(m -> m.status() == 200 && cseq(m).equals("2 INVITE"));
        assertThat(ok.body()).isEqualTo(held);
        assertThat(ok.callId()).isEqualTo(call.appInvite.callId());
        SipMessage ack = upstream.expect(m -> "ACK".equals(m.method()) && m.cseq() == reinvite.cseq());
        assertThat(ack.topBranch()).isNotEqualTo(reinvite.topBranch());
        app.send(call.appRequest("ACK", 2)); // absorbed by the relay: the caller's 2xx is ACKed already

        app.send(call.appRequestWithBody("UPDATE", 3, ANSWER));
        SipMessage update = upstream.expect(m -> "UPDATE".equals(m.method()));
        assertThat(update.cseq()).isGreaterThan(reinvite.cseq());
        upstream.send(RelayMessagesForTest.responseTagged(update, 200, "OK", null, OFFER));
        assertThat(appNext(m -> m.status() == 200 && cseq(m).equals("3 UPDATE")).body()).isEqualTo(OFFER);

        app.send(call.appRequestWithBody("INFO", 4, "Signal=1\r\nDuration=100\r\n"));
        SipMessage info = upstream.expect(m -> "INFO".equals(m.method()));
        assertThat(info.body()).isEqualTo("Signal=1\r\nDuration=100\r\n");
        assertThat(info.header("contact")).isEmpty();
        upstream.send(RelayMessagesForTest.response(info, 200, "OK"));
        appNext(m -> m.status() == 200 && cseq(m).equals("4 INFO"));

        app.send(call.appRequest("PRACK", 5));
        SipMessage refused = appNext(m -> cseq(m).equals("5 PRACK"));
        assertThat(refused.status()).isEqualTo(501);
        assertThat(refused.header("allow")).isPresent();
    }

    @Test
    void aBlindTransferByTheAppIsReferredUpstreamAndTheNotifiesComeBack() throws Exception {
        Call call = answeredCall(true);
        String refer = call.appRequest("REFER", 2).replace("Content-Length: 0",
                "Contact: <sip:app@10.0.0.5:50123;transport=tcp>\r\nRefer-To: <sip:carol@example.org>\r\n"
                        + "Referred-By: <sip:alice@example.org>\r\nContent-Length: 0");
        app.send(refer);
        SipMessage up = upstream.expect(m -> "REFER".equals(m.method()));
        assertThat(up.callId()).isEqualTo(call.callId);
        assertThat(up.header("refer-to")).contains("<sip:carol@example.org>");
        assertThat(up.header("referred-by")).contains("<sip:alice@example.org>");
        assertThat(up.header("contact")).isPresent();
        upstream.send(RelayMessagesForTest.response(up, 202, "Accepted"));
        assertThat(appNext(m -> cseq(m).equals("2 REFER")).status()).isEqualTo(202);

        // the caller reports the transfer's progress in the same dialog (RFC 3515 implicit subscription)
        String notify = call.inDialogWithBody("NOTIFY", 2, upstream.branch(), "SIP/2.0 200 OK\r\n")
                .replace("Content-Type: application/sdp", "Event: refer\r\nSubscription-State: terminated;reason=noresource"
                        + "\r\nContent-Type: message/sipfrag");
        upstream.send(notify);
        SipMessage toApp = appNext(m -> "NOTIFY".equals(m.method()));
        assertThat(toApp.header("event")).contains("refer");
        assertThat(toApp.header("subscription-state")).contains("terminated;reason=noresource");
        assertThat(toApp.body()).isEqualTo("SIP/2.0 200 OK\r\n");
        app.send(RelayMessagesForTest.response(toApp, 200, "OK"));
        upstream.expect(m -> m.status() == 200 && cseq(m).equals("2 NOTIFY"));

        upstream.send(call.inDialog("SUBSCRIBE", 3, upstream.branch()));
        assertThat(upstream.expect(m -> cseq(m).equals("3 SUBSCRIBE")).status()).isEqualTo(501);
    }

    @Test
    void theCallerRefusingTheAppReInviteIsAckedHopByHopAndRelayed() throws Exception {
        Call call = answeredCall(true);
        app.send(call.appRequestWithBody("INVITE", 2, ANSWER));
        SipMessage reinvite = upstream.expect(m -> "INVITE".equals(m.method()) && call.callId.equals(m.callId()));
        upstream.send(RelayMessagesForTest.response(reinvite, 491, "Request Pending"));
        assertThat(appNext(m -> cseq(m).equals("2 INVITE")).status()).isEqualTo(491);
        SipMessage ack = upstream.expect(m -> "ACK".equals(m.method()));
        assertThat(ack.topBranch()).isEqualTo(reinvite.topBranch());
        assertThat(ack.cseq()).isEqualTo(reinvite.cseq());
    }

    @Test
    void ourRequestsUpstreamAreRetransmittedOnUdpAndGivenUpAfter64T1() throws Exception {
        Call call = answeredCall(true);
        app.send(call.appRequestWithBody("INFO", 2, "Signal=2\r\nDuration=100\r\n"));
        SipMessage info = upstream.expect(m -> "INFO".equals(m.method()));
        relayOwner.advance(Duration.ofMillis(500)); // Timer E
        SipMessage again = upstream.expect(m -> "INFO".equals(m.method()));
        assertThat(again.topBranch()).isEqualTo(info.topBranch());
        for (int i = 0; i < 16; i++) {
            relayOwner.advance(Duration.ofSeconds(2)); // up to Timer F, 64·T1
        }
        assertThat(appNext(m -> cseq(m).equals("2 INFO")).status()).isEqualTo(408);

        app.send(call.appRequest("BYE", 3));
        appNext(m -> m.status() == 200 && cseq(m).equals("3 BYE"));
        SipMessage bye = upstream.expect(m -> "BYE".equals(m.method()));
        relayOwner.advance(Duration.ofMillis(500));
        assertThat(upstream.expect(m -> "BYE".equals(m.method())).topBranch()).isEqualTo(bye.topBranch());
        upstream.send(RelayMessagesForTest.response(bye, 200, "OK"));
    }

    @Test
    void theAnswerIsRetransmittedUntilTheAckAndTheAppIsHungUpWithoutOne() throws Exception {
        Call call = answeredWithoutAck(true);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> {
            relayOwner.runReady();
            return relayOwner.pendingTimers() > 0;
        });
        relayOwner.advance(Duration.ofMillis(500));
        SipMessage again = upstream.expect(m -> m.status() == 200 && cseq(m).endsWith("INVITE"));
        assertThat(again.body()).isEqualTo(ANSWER);
        for (int i = 0; i < 20; i++) {
            relayOwner.advance(Duration.ofSeconds(2));
        }
        SipMessage bye = appNext(m -> "BYE".equals(m.method()));
        assertThat(bye.callId()).isEqualTo(call.appInvite.callId());
    }

    @Test
    void theAppNeverAnsweringEndsTheCallAfterT2WithACancelToTheApp() throws Exception {
        String callId = "t2-" + System.nanoTime();
        upstream.send(upstream.invite(callId, upstream.branch()));
        String pairing = nextPairingId();
        app = registerApp(pairing);
        SipMessage invite = appNext(m -> "INVITE".equals(m.method()));
        app.send(RelayMessagesForTest.responseTagged(invite, 180, "Ringing", "app-tag", null));
        upstream.expect(m -> m.status() == 180 && m.header("x-sipis-push-status").isEmpty());

        relayOwner.advance(Duration.ofSeconds(30)); // T2 (IncomingCall/ProgressMaxAge) on the instance owner
        SipMessage refused = upstream.expect(m -> m.status() >= 300);
        assertThat(refused.status()).isEqualTo(480);
        assertThat(refused.header("x-sipis-reason")).contains("No-Answer-From-Device");
        SipMessage cancel = appNext(m -> "CANCEL".equals(m.method()));
        assertThat(cancel.topBranch()).isEqualTo(invite.topBranch());
        assertThat(cancel.headers("reason")).isEmpty();
        app.send(RelayMessagesForTest.response(cancel, 200, "OK"));
        app.send(RelayMessagesForTest.responseTagged(invite, 487, "Request Terminated", "app-tag", null));
        appNext(m -> "ACK".equals(m.method()) && m.topBranch().equals(invite.topBranch()));
    }

    @Test
    void theAppFlowClosingMidCallHangsUpTheCaller() throws Exception {
        Call call = answeredCall(true);
        app.close(); // the app's connection dies (network change, killed app)
        SipMessage bye = upstream.expect(m -> "BYE".equals(m.method()));
        assertThat(bye.callId()).isEqualTo(call.callId);
        assertThat(HeaderParams.param(bye.header("from").orElseThrow(), "tag")).isEqualTo(call.toTag);
        upstream.send(RelayMessagesForTest.response(bye, 200, "OK"));
    }

    @Test
    void theAppFlowClosingBeforeTheAnswerRefusesTheCallAtOnce() throws Exception {
        String callId = "lost-" + System.nanoTime();
        upstream.send(upstream.invite(callId, upstream.branch()));
        app = registerApp(nextPairingId());
        appNext(m -> "INVITE".equals(m.method()));
        app.close();
        SipMessage refused = upstream.expect(m -> m.status() >= 300);
        assertThat(refused.status()).isEqualTo(480);
        assertThat(refused.header("x-sipis-reason")).contains("App-Flow-Lost");
        assertThat(refused.callId()).isEqualTo(callId);
    }

    @Test
    void progressWithoutPairingIdTakesTheOldestWaitingCall() throws Exception {
        answeredCall(false);
    }

    @Test
    void callerCancelBeforeTheAnswerCancelsTheApp() throws Exception {
        String callId = "cancel-" + System.nanoTime();
        String branch = upstream.branch();
        upstream.send(upstream.invite(callId, branch));
        String pairing = nextPairingId();
        app = registerApp(pairing);
        SipMessage invite = appNext(m -> "INVITE".equals(m.method()));

        upstream.send(upstream.cancel(callId, branch));
        upstream.expect(m -> m.status() == 200 && cseq(m).endsWith("CANCEL"));
        upstream.expect(m -> m.status() == 487);
        SipMessage cancel = appNext(m -> "CANCEL".equals(m.method()));
        assertThat(cancel.topBranch()).isEqualTo(invite.topBranch());
        app.send(RelayMessagesForTest.response(cancel, 200, "OK"));
        app.send(RelayMessagesForTest.responseTagged(invite, 487, "Request Terminated", "app-tag", null));
        SipMessage ack = appNext(m -> "ACK".equals(m.method()));
        assertThat(ack.topBranch()).isEqualTo(invite.topBranch());
    }

    @Test
    void theAppDecliningIsRelayedUpstream() throws Exception {
        String callId = "decline-" + System.nanoTime();
        upstream.send(upstream.invite(callId, upstream.branch()));
        app = registerApp(nextPairingId());
        SipMessage invite = appNext(m -> "INVITE".equals(m.method()));
        app.send(RelayMessagesForTest.responseTagged(invite, 486, "Busy Here", "app-tag", null));
        appNext(m -> "ACK".equals(m.method()));
        SipMessage busy = upstream.expect(m -> m.status() >= 300);
        assertThat(busy.status()).isEqualTo(486);
    }

    /** INVITE upstream → push → app REGISTER (progress) → relayed INVITE → 180, 200 → ACK both ways. */
    /**
     * A call another process pushed and hands over (docs/design-rebalance.md) to an app already
     * connected here: relayed at once, under the pushing process's pairing id, without a push.
     */
    @Test
    void aHandedOverCallIsRelayedAtOnceToAnAppAlreadyConnected() throws Exception {
        incoming.setForkGate(new org.opensipis.sip.call.ForkGate() {
            @Override
            public java.util.concurrent.CompletionStage<Verdict> invite(String selector, String callKey) {
                return CompletableFuture.completedFuture(Verdict.handedOver("Sipis3"));
            }
        });
        CallProgress progress = new CallProgress(incoming, relay);
        incoming.wireHandOver((to, bytes) -> { }, () -> "127.0.0.1:1", progress::waiting);
        app = registerApp(null);
        String callId = "handed-" + System.nanoTime();
        upstream.send(upstream.invite(callId, upstream.branch()).replace("Max-Forwards: 69\r\n",
                "Max-Forwards: 69\r\nX-Sipis-Pairing-Id: pushed-by-sipis3\r\n"));
        SipMessage invite = appNext(m -> "INVITE".equals(m.method()));
        assertThat(invite.header("x-sipis-pairing-id")).contains("pushed-by-sipis3");
        assertThat(pairingIds).as("no push of its own").isEmpty();
        app.send(RelayMessagesForTest.responseTagged(invite, 200, "OK", "app-tag", ANSWER));
        SipMessage ok = upstream.expect(m -> m.status() == 200 && cseq(m).endsWith("INVITE"));
        assertThat(ok.body()).isEqualTo(ANSWER);
        assertThat(pairingIds).isEmpty();
    }

    private Call answeredCall(boolean withPairingId) throws Exception {
        Call call = answeredWithoutAck(withPairingId);
        upstream.send(call.inDialog("ACK", 1, upstream.branch()));
        return call;
    }

    private Call answeredWithoutAck(boolean withPairingId) throws Exception {
        String callId = "call-" + System.nanoTime();
        upstream.send(upstream.invite(callId, upstream.branch()));
        String pairing = nextPairingId();
        assertThat(pairing).isNotNull();
        app = registerApp(withPairingId ? pairing : null);

        SipMessage invite = appNext(m -> "INVITE".equals(m.method()));
        assertThat(invite.requestUri()).startsWith("sip:app@10.0.0.5:50123");
        assertThat(invite.header("x-sipis-pairing-id")).contains(pairing);
        assertThat(invite.body()).isEqualTo(OFFER);
        assertThat(invite.header("content-type")).contains("application/sdp");
        assertThat(invite.header("from").orElseThrow()).startsWith("\"Bob Caller\" <sip:bob@example.org>;tag=");
        assertThat(invite.header("to").orElseThrow()).isEqualTo("<sip:" + SELECTOR + "@" + AppLegHarness.REALM + ">");
        assertThat(invite.callId()).isNotEqualTo(callId);
        upstream.expect(m -> m.status() == 180
                && m.header("x-sipis-push-status").orElse("").equals("Device-Making-Progress"));

        app.send(RelayMessagesForTest.responseTagged(invite, 180, "Ringing", "app-tag", null));
        upstream.expect(m -> m.status() == 180 && m.header("x-sipis-push-status").isEmpty());
        app.send(RelayMessagesForTest.responseTagged(invite, 200, "OK", "app-tag", ANSWER));
        SipMessage ack = appNext(m -> "ACK".equals(m.method()));
        assertThat(ack.callId()).isEqualTo(invite.callId());
        SipMessage ok = upstream.expect(m -> m.status() == 200 && cseq(m).endsWith("INVITE"));
        assertThat(ok.body()).isEqualTo(ANSWER);
        String toTag = HeaderParams.param(ok.header("to").orElseThrow(), "tag");
        return new Call(callId, toTag, invite);
    }

    private AppClient registerApp(String pairing) throws IOException {
        AppClient c = new AppClient(new java.net.Socket("127.0.0.1", appLeg.port()));
        String[] extra = pairing == null ? new String[0] : new String[] {"X-Sipis-Pairing-Id: " + pairing};
        c.send(c.register(SELECTOR, 600, extra));
        SipMessage challenge = next(c, m -> m.status() == 401);
        c.send(AppClient.authorized(c.register(SELECTOR, 600, extra), challenge, SELECTOR, SECRET));
        next(c, m -> m.isResponse() && cseq(m).endsWith("REGISTER") && m.status() == 200);
        return c;
    }

    /** The pairing id of the next incoming-call push (the push is sent from the instance owner). */
    String nextPairingId() {
        String[] got = new String[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> {
            drive();
            got[0] = pairingIds.poll();
            return got[0] != null;
        });
        return got[0];
    }

    /** Runs what the relay and the instance owner have queued (and their due timers) until both settle. */
    void drive() {
        for (int i = 0; i < 1_000 && relayOwner.runReady() + instanceOwner.runReady() > 0; i++) {
            // settle: one owner's task may queue work on the other
        }
    }

    private SipMessage appNext(Predicate<SipMessage> p) {
        return next(app, p);
    }

    /** The next message from the server to the app that matches; messages before it are skipped. */
    private SipMessage next(AppClient c, Predicate<SipMessage> p) {
        SipMessage[] got = new SipMessage[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> {
            drive();
            for (String s; (s = c.received.poll()) != null; ) {
                if (!AppClient.PONG.equals(s)) {
                    SipMessage m = SipMessage.parse(s);
                    if (p.test(m)) {
                        got[0] = m;
                        return true;
                    }
                }
            }
            return false;
        });
        return got[0];
    }

    static String cseq(SipMessage m) {
        return m.header("cseq").orElse("");
    }

    /** One answered call as both test peers see it. */
    final class Call {
        final String callId;
        final String toTag;
        final SipMessage appInvite;

        Call(String callId, String toTag, SipMessage appInvite) {
            this.callId = callId;
            this.toTag = toTag;
            this.appInvite = appInvite;
        }

        /** A request from the caller inside the dialog, through the upstream proxy. */
        String inDialog(String method, int cseq, String branch) {
            return method + " sip:s" + SELECTOR + "@127.0.0.1:" + transport.udpPort() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + upstream.port() + ";branch=" + branch + "\r\n"
                    + "From: \"Bob Caller\" <sip:bob@example.org>;tag=caller-tag\r\n"
                    + "To: <sip:alice@example.org>;tag=" + toTag + "\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: " + cseq + " " + method + "\r\n"
                    + "Max-Forwards: 69\r\n"
                    + "Content-Length: 0\r\n\r\n";
        }

        /** The same with a body (SDP for INVITE/UPDATE, DTMF relay for INFO). */
        String inDialogWithBody(String method, int cseq, String branch, String body) {
            String type = "INFO".equals(method) ? "application/dtmf-relay" : "application/sdp";
            String noBody = inDialog(method, cseq, branch);
            return noBody.substring(0, noBody.indexOf("Content-Length:")) + "Contact: <sip:bob@127.0.0.1:"
                    + upstream.port() + ">\r\nContent-Type: " + type + "\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        }

        /** The same with a body (SDP for INVITE/UPDATE, DTMF relay for INFO). */
        String appRequestWithBody(String method, int cseq, String body) {
            String type = "INFO".equals(method) ? "application/dtmf-relay" : "application/sdp";
            String noBody = appRequest(method, cseq);
            return noBody.substring(0, noBody.indexOf("Content-Length:")) + "Contact: <sip:app@10.0.0.5:50123;transport=tcp>"
                    + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        }

        /** A request from the app inside the app-leg dialog. */
        String appRequest(String method, int cseq) {
            return method + " sip:sipis@127.0.0.1:" + appLeg.port() + ";transport=tcp SIP/2.0\r\n"
                    + "Via: SIP/2.0/TCP 10.0.0.5:50123;branch=z9hG4bK-app-" + cseq + "\r\n"
                    + "From: " + appInvite.header("to").orElseThrow() + ";tag=app-tag\r\n"
                    + "To: " + appInvite.header("from").orElseThrow() + "\r\n"
                    + "Call-ID: " + appInvite.callId() + "\r\n"
                    + "CSeq: " + cseq + " " + method + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "Content-Length: 0\r\n\r\n";
        }
    }

    /** The provider's proxy, hand-written on a UDP socket: sends requests, collects what comes back. */
    static final class Upstream implements AutoCloseable {
        final DatagramSocket socket;
        final int target;
        final BlockingQueue<SipMessage> received = new LinkedBlockingQueue<>();
        final List<SipMessage> seen = new ArrayList<>();
        final Runnable drive;
        private int branches;

        Upstream(int target, Runnable drive) throws SocketException {
            this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            this.target = target;
            this.drive = drive;
            Thread t = new Thread(this::read, "test-upstream-reader");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        String branch() {
            return "z9hG4bK-up-" + (++branches) + "-" + System.nanoTime();
        }

        void send(String text) throws IOException {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", target)));
        }

        String invite(String callId, String branch) {
            return "INVITE sip:s" + SELECTOR + "@127.0.0.1:" + target + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=" + branch + "\r\n"
                    + "Record-Route: <sip:127.0.0.1:" + port() + ";lr>\r\n"
                    + "From: \"Bob Caller\" <sip:bob@example.org>;tag=caller-tag\r\n"
                    + "To: <sip:alice@example.org>\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:bob@127.0.0.1:" + port() + ">\r\n"
                    + "Max-Forwards: 69\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + OFFER.length() + "\r\n\r\n" + OFFER;
        }

        String cancel(String callId, String branch) {
            return "CANCEL sip:s" + SELECTOR + "@127.0.0.1:" + target + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=" + branch + "\r\n"
                    + "From: \"Bob Caller\" <sip:bob@example.org>;tag=caller-tag\r\n"
                    + "To: <sip:alice@example.org>\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 CANCEL\r\n"
                    + "Max-Forwards: 69\r\n"
                    + "Content-Length: 0\r\n\r\n";
        }

        /** The first message received so far or later that matches (and is then consumed). */
        SipMessage expect(Predicate<SipMessage> p) {
            SipMessage[] got = new SipMessage[1];
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> {
                drive.run();
                received.drainTo(seen);
                for (int i = 0; i < seen.size(); i++) {
                    if (p.test(seen.get(i))) {
                        got[0] = seen.remove(i);
                        return true;
                    }
                }
                return false;
            });
            return got[0];
        }

        private void read() {
            byte[] buf = new byte[65_535];
            for (int guard = 0; guard < 1_000_000 && !socket.isClosed(); guard++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                received.add(SipMessage.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
