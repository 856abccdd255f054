package org.opensipis.sip.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.DeviceToken.Kind.INCOMING_CALL;
import static org.opensipis.core.instance.DeviceToken.Kind.OTHER;
import static org.opensipis.core.instance.DeviceToken.Platform.APNS;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.push.Verb;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/**
 * A call the losing process L pushed, still waiting for the app when its instance moves to the
 * gainer G: L forwards the INVITE to G's address, G takes it in without a push under L's pairing
 * id, and G's responses reach the caller through L; the caller's CANCEL goes through L to G.
 * The two processes' messages pass through queues the test pumps (manual owners, fake clocks).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallHandOverTest {

    private static final String SEL = "ABCDEF01";
    private static final InetSocketAddress L_AT = new InetSocketAddress("127.0.0.1", 5071);
    private static final InetSocketAddress G_AT = new InetSocketAddress("127.0.0.1", 5072);
    private static final InetSocketAddress PROXY_AT = new InetSocketAddress("127.0.0.1", 5060);

    private final Map<String, String> claims = new ConcurrentHashMap<>();
    private final CallHarness loser = new CallHarness();
    private final CallHarness gainer = new CallHarness();
    private final FakePeer caller = new FakePeer(Transport.UDP);
    /** L to G (requests), G to L (responses). */
    private final Deque<byte[]> toGainer = new ArrayDeque<>();
    private final Deque<byte[]> toLoser = new ArrayDeque<>();
    /** G's side of the L–G path: what G sends goes back to L. */
    private final Peer fromLoser = new Peer() {
        @Override
        public void send(byte[] data) {
            toLoser.add(data);
        }

        @Override
        public Transport transport() {
            return Transport.UDP;
        }

        @Override
        public String localHost() {
            return "127.0.0.1";
        }

        @Override
        public int localPort() {
            return G_AT.getPort();
        }

        @Override
        public InetSocketAddress remote() {
            return L_AT;
        }
    };

    /** What LeaseForkGate decides, over the shared claims map: L held the instance outright. */
    private class Gate implements ForkGate {
        final String name;
        final Map<String, InetSocketAddress> addresses = Map.of("L", L_AT, "G", G_AT);

        Gate(String name) {
            this.name = name;
        }

        @Override
        public CompletionStage<Verdict> invite(String selector, String callKey) {
            return invite(selector, callKey, null);
        }

        @Override
        public CompletionStage<Verdict> invite(String selector, String callKey, InetSocketAddress from) {
            if (name.equals("L")) {
                return CompletableFuture.completedFuture(Verdict.PUSH); // held outright: no claim
            }
            String winner = claims.computeIfAbsent(callKey, k -> name);
            if (winner.equals(name)) {
                return CompletableFuture.completedFuture(Verdict.PUSH);
            }
            return CompletableFuture.completedFuture(addresses.get(winner).equals(from) ? Verdict.handedOver(winner)
                    : Verdict.decline("pushed by " + winner));
        }

        @Override
        public CompletionStage<Void> handingOver(String selector, String callKey) {
            claims.putIfAbsent(callKey, name);
            return CompletableFuture.completedFuture(null);
        }
    }

    private void bothKnowTheInstance() {
        loser.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"), CallHarness.token(APNS, OTHER, "alert1"));
        gainer.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"), CallHarness.token(APNS, OTHER, "alert1"));
        loser.push.autoAccept = true;
        gainer.push.autoAccept = true;
        loser.incoming.setForkGate(new Gate("L"));
        gainer.incoming.setForkGate(new Gate("G"));
        loser.incoming.wireHandOver((to, bytes) -> {
            assertThat(to).isEqualTo(G_AT);
            toGainer.add(bytes);
        }, () -> "127.0.0.1:" + L_AT.getPort(), null);
        gainer.incoming.wireHandOver((to, bytes) -> toLoser.add(bytes), () -> "127.0.0.1:" + G_AT.getPort(), null);
    }

    /** Runs both processes until no message is in flight. Bounded. */
    private void pump() {
        for (int i = 0; i < 100; i++) {
            loser.owner.runReady();
            gainer.owner.runReady();
            if (toGainer.isEmpty() && toLoser.isEmpty()) {
                return;
            }
            while (!toGainer.isEmpty()) {
                gainer.incoming.receive(SipMessage.parse(toGainer.poll()), fromLoser);
            }
            while (!toLoser.isEmpty()) {
                SipMessage m = SipMessage.parse(toLoser.poll());
                assertThat(m.isResponse()).as("G sends L only responses").isTrue();
                assertThat(loser.incoming.onResponse(m, null)).isTrue();
            }
        }
        throw new AssertionError("messages still in flight after 100 rounds");
    }

    /** L pushed the call and answered 180; then its instance left it for G. */
    private String callPushedThenHandedOver(String callId) {
        bothKnowTheInstance();
        loser.receive(CallHarness.invite(SEL, callId, "z9hG4bK" + callId), caller);
        assertThat(loser.push.of(Verb.INCOMING_CALL)).hasSize(1);
        String pairingId = loser.incoming.pendingPairingIds(SEL).get(0);
        loser.instances.remove(SEL); // the coordinator forgot the instance
        loser.incoming.handOverCalls(SEL, G_AT);
        pump();
        return pairingId;
    }

    @Test
    void theNewHolderWaitsForTheAppWithoutPushingAndItsAnswerReachesTheCallerOnce() {
        String pairingId = callPushedThenHandedOver("h1");
        assertThat(gainer.push.sent).as("G does not push a call L pushed").isEmpty();
        assertThat(gainer.incoming.pendingPairingIds(SEL)).containsExactly(pairingId);
        assertThat(loser.incoming.pendingPairingIds(SEL)).isEmpty();
        assertThat(loser.incoming.stats().outcomes()).containsEntry("handed-over", 1L);
        // the caller saw L's own 180s, then G's, with L's Via gone
        List<SipMessage> ringing = caller.withStatus(180);
        assertThat(ringing.size()).isGreaterThanOrEqualTo(2);
        SipMessage fromG = ringing.get(ringing.size() - 1);
        assertThat(fromG.headers("via")).hasSize(2);
        assertThat(fromG.topBranch()).isEqualTo("z9hG4bKh1");

        // the app connects to G and answers
        CompletableFuture<Optional<PendingCall>> taken = gainer.incoming.takeOver(SEL, pairingId);
        gainer.owner.runReady();
        Optional<PendingCall> call = taken.getNow(Optional.empty());
        assertThat(call).isPresent();
        call.get().respond(200, "OK", List.of(), "application/sdp", "v=0\n");
        pump();
        List<SipMessage> answers = caller.withStatus(200);
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).topBranch()).isEqualTo("z9hG4bKh1");
        assertThat(answers.get(0).header("contact").orElseThrow()).contains(":" + G_AT.getPort());
        assertThat(HeaderParams.param(answers.get(0).header("to").orElseThrow(), "tag"))
                .isEqualTo(call.get().toTag());
        assertThat(caller.sent).extracting(SipMessage::status).doesNotContain(480, 487);
        // a retransmitted INVITE from the caller at L, which no longer knows the instance: the 200 again
        loser.receive(CallHarness.invite(SEL, "h1", "z9hG4bKh1"), caller);
        assertThat(caller.last().status()).isEqualTo(200);
        assertThat(loser.push.of(Verb.INCOMING_CALL)).hasSize(1);
        assertThat(loser.push.of(Verb.MISSED_CALL)).isEmpty();
        assertThat(gainer.push.sent).isEmpty();
    }

    @Test
    void theCallersCancelGoesThroughToTheNewHolderWhichSendsTheMissedCallPush() {
        callPushedThenHandedOver("h2");
        loser.receive(CallHarness.cancel(SEL, "h2", "z9hG4bKh2", null), caller);
        pump();
        assertThat(caller.sent).extracting(SipMessage::status).contains(200, 487);
        assertThat(caller.withStatus(487)).hasSize(1);
        assertThat(gainer.incoming.pendingPairingIds(SEL)).isEmpty();
        assertThat(gainer.push.of(Verb.INCOMING_CALL)).isEmpty();
        assertThat(gainer.push.of(Verb.MISSED_CALL)).hasSize(1);
        assertThat(loser.push.of(Verb.MISSED_CALL)).isEmpty();
        // the proxy ACKs the 487 at L: absorbed there
        String tag = HeaderParams.param(caller.withStatus(487).get(0).header("to").orElseThrow(), "tag");
        int before = caller.sent.size();
        loser.receive(CallHarness.ack(SEL, "h2", "z9hG4bKh2", tag), caller);
        assertThat(caller.sent).hasSize(before);
    }

    @Test
    void aForkOfTheCallFromTheProxyIsStillDeclinedAndAPairingIdOnTheWireIsIgnored() {
        bothKnowTheInstance();
        claims.put("h3|from1|1", "L");
        String forged = CallHarness.invite(SEL, "h3", "z9hG4bKh3.1").replace("Max-Forwards: 69",
                "Max-Forwards: 69\r\nX-Sipis-Pairing-Id: chosen-by-caller");
        FakePeer proxyBranch = new FakePeer(Transport.UDP);
        proxyBranch.from.value = PROXY_AT;
        gainer.receive(forged, proxyBranch);
        assertThat(proxyBranch.last().status()).isEqualTo(480);
        assertThat(gainer.incoming.pendingPairingIds(SEL)).isEmpty();
        assertThat(gainer.push.sent).isEmpty();
    }

    @Test
    void withoutAnAnswerFromTheNewHolderTheLoserRetransmitsThenAnswersTheCaller480() {
        bothKnowTheInstance();
        loser.receive(CallHarness.invite(SEL, "h4", "z9hG4bKh4"), caller);
        loser.instances.remove(SEL);
        loser.incoming.handOverCalls(SEL, G_AT);
        loser.owner.runReady();
        assertThat(toGainer).hasSize(1);
        SipMessage forwarded = SipMessage.parse(toGainer.peek());
        assertThat(forwarded.headers("via")).hasSize(3);
        assertThat(forwarded.header("max-forwards")).contains("68");
        assertThat(forwarded.header("x-sipis-pairing-id")).isPresent();
        loser.advance(java.time.Duration.ofSeconds(2)); // Timer A: 0.5 s, 1 s
        assertThat(toGainer.size()).isGreaterThan(1);
        loser.advance(java.time.Duration.ofSeconds(32)); // Timer B
        SipMessage last = caller.last();
        assertThat(last.status()).isEqualTo(480);
        assertThat(last.header("x-sipis-reason")).contains(CallForwarder.HAND_OVER_FAILED);
        assertThat(loser.push.of(Verb.MISSED_CALL)).isEmpty();
        toGainer.clear();
    }

    @Test
    void aCancelBeforeTheForwardedInviteLeftIsAnsweredByTheLoser() {
        bothKnowTheInstance();
        CompletableFuture<Void> claim = new CompletableFuture<>();
        loser.incoming.setForkGate(new Gate("L") {
            @Override
            public CompletionStage<Void> handingOver(String selector, String callKey) {
                return claim;
            }
        });
        loser.receive(CallHarness.invite(SEL, "h5", "z9hG4bKh5"), caller);
        loser.instances.remove(SEL);
        loser.incoming.handOverCalls(SEL, G_AT);
        loser.owner.runReady();
        assertThat(toGainer).isEmpty();
        loser.receive(CallHarness.cancel(SEL, "h5", "z9hG4bKh5", null), caller);
        assertThat(caller.withStatus(487)).hasSize(1);
        claim.complete(null);
        loser.owner.runReady();
        assertThat(toGainer).as("nothing forwarded after the caller gave up").isEmpty();
    }
}
