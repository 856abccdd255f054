package org.opensipis.sip.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.DeviceToken.Kind.INCOMING_CALL;
import static org.opensipis.core.instance.DeviceToken.Kind.OTHER;
import static org.opensipis.core.instance.DeviceToken.Platform.APNS;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.push.Verb;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/**
 * One INVITE forked by the registrar to two processes that both have a binding for the instance
 * (a make-before-break overlap): the fork gate lets one push; the other answers its branch 480
 * without a push, repeats that 480 to retransmissions and sends no missed-call push on CANCEL.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ForkGateTest {

    private static final String SEL = "ABCDEF01";
    /** The claims table both processes share, as a hand-written fake. */
    private final Map<String, String> claims = new ConcurrentHashMap<>();
    private final CallHarness gainer = new CallHarness();
    private final CallHarness loser = new CallHarness();
    private final FakePeer toGainer = new FakePeer(Transport.UDP);
    private final FakePeer toLoser = new FakePeer(Transport.UDP);

    private ForkGate claiming(String name) {
        return (selector, callKey) -> {
            String winner = claims.computeIfAbsent(callKey, k -> name);
            return CompletableFuture.completedFuture(winner.equals(name) ? ForkGate.Verdict.PUSH
                    : ForkGate.Verdict.decline("pushed by " + winner));
        };
    }

    private void bothHoldTheInstance() {
        gainer.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"), CallHarness.token(APNS, OTHER, "alert1"));
        loser.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"), CallHarness.token(APNS, OTHER, "alert1"));
        gainer.push.autoAccept = true;
        loser.push.autoAccept = true;
        gainer.incoming.setForkGate(claiming("S2"));
        loser.incoming.setForkGate(claiming("S3"));
    }

    @Test
    void aForkedCallIsPushedOnceAndTheOtherBranchGets480WithAReason() {
        bothHoldTheInstance();
        gainer.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bK1.0"), toGainer);
        loser.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bK1.1"), toLoser);

        assertThat(gainer.push.of(Verb.INCOMING_CALL)).hasSize(1);
        assertThat(toGainer.sent.get(0).status()).isEqualTo(180);
        assertThat(loser.push.sent).isEmpty();
        assertThat(toLoser.sent).hasSize(1);
        SipMessage declined = toLoser.sent.get(0);
        assertThat(declined.status()).isEqualTo(480);
        assertThat(declined.header("x-sipis-reason")).contains(CallMachine.PUSHED_ELSEWHERE);
        assertThat(declined.header("reason")).contains("SIP;cause=480;text=\"pushed by S2\"");
        assertThat(loser.incoming.stats().outcomes()).containsEntry("pushed-by-another-process", 1L);

        // a retransmission of the declined branch gets the same 480, never a push
        loser.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bK1.1"), toLoser);
        assertThat(toLoser.sent).hasSize(2);
        assertThat(toLoser.sent.get(1).status()).isEqualTo(480);
        assertThat(loser.push.sent).isEmpty();

        // the caller hangs up: the proxy cancels the branch still ringing; the pusher sends the one missed-call push
        gainer.receive(CallHarness.cancel(SEL, "c1@x", "z9hG4bK1.0", null), toGainer);
        assertThat(toGainer.sent).extracting(SipMessage::status).contains(200, 487);
        assertThat(gainer.push.of(Verb.MISSED_CALL)).hasSize(1);
        // a CANCEL that crosses the 480 at the other process: 200, nothing pushed
        loser.receive(CallHarness.cancel(SEL, "c1@x", "z9hG4bK1.1", null), toLoser);
        assertThat(toLoser.sent.get(toLoser.sent.size() - 1).status()).isEqualTo(200);
        assertThat(loser.push.sent).isEmpty();
        // the proxy ACKs the 480: absorbed
        String tag = HeaderParams.param(declined.header("to").orElseThrow(), "tag");
        int before = toLoser.sent.size();
        loser.receive(CallHarness.ack(SEL, "c1@x", "z9hG4bK1.1", tag), toLoser);
        assertThat(toLoser.sent).hasSize(before);
    }

    @Test
    void whicheverBranchArrivesFirstPushes() {
        bothHoldTheInstance();
        loser.receive(CallHarness.invite(SEL, "c2@x", "z9hG4bK2.1"), toLoser);
        gainer.receive(CallHarness.invite(SEL, "c2@x", "z9hG4bK2.0"), toGainer);
        assertThat(loser.push.of(Verb.INCOMING_CALL)).hasSize(1);
        assertThat(gainer.push.sent).isEmpty();
        assertThat(toGainer.sent.get(0).status()).isEqualTo(480);
    }

    @Test
    void retransmissionsWaitForAPendingVerdictAndAreAnsweredOnce() {
        gainer.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"));
        CompletableFuture<ForkGate.Verdict> verdict = new CompletableFuture<>();
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        gainer.incoming.setForkGate((selector, callKey) -> {
            asked.add(callKey);
            return verdict;
        });
        gainer.receive(CallHarness.invite(SEL, "c3@x", "z9hG4bK3"), toGainer);
        gainer.receive(CallHarness.invite(SEL, "c3@x", "z9hG4bK3"), toGainer);
        assertThat(asked).containsExactly("c3@x|from1|1");
        assertThat(toGainer.sent).isEmpty();

        verdict.complete(ForkGate.Verdict.PUSH);
        gainer.owner.runReady();
        assertThat(gainer.push.of(Verb.INCOMING_CALL)).hasSize(1);
        assertThat(toGainer.sent).extracting(SipMessage::status).containsExactly(180);
    }

    @Test
    void aFailedVerdictPushes() {
        gainer.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"));
        gainer.incoming.setForkGate((selector, callKey) -> CompletableFuture.failedFuture(new IllegalStateException("db down")));
        gainer.receive(CallHarness.invite(SEL, "c4@x", "z9hG4bK4"), toGainer);
        assertThat(gainer.push.of(Verb.INCOMING_CALL)).hasSize(1);
    }

    // ---- out-of-dialog MESSAGEs forked during an overlap ----

    private static String messageTo(String branch) {
        // one MESSAGE forked by the proxy: the same Call-ID, From tag and CSeq, another top branch
        return CallHarness.message(SEL, branch, "text/plain", "hello", null).replace("Call-ID: msg-" + branch,
                "Call-ID: m1@x");
    }

    private void bothHoldTheInstanceForMessages() {
        gainer.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"), CallHarness.token(APNS, OTHER, "alert1"));
        loser.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"), CallHarness.token(APNS, OTHER, "alert1"));
        gainer.push.autoAccept = true;
        loser.push.autoAccept = true;
        gainer.incoming.setForkGate(claimingMessages("S2"));
        loser.incoming.setForkGate(claimingMessages("S3"));
    }

    private ForkGate claimingMessages(String name) {
        ForkGate invites = claiming(name);
        return new ForkGate() {
            @Override
            public java.util.concurrent.CompletionStage<Verdict> invite(String selector, String callKey) {
                return invites.invite(selector, callKey);
            }

            @Override
            public java.util.concurrent.CompletionStage<Verdict> message(String selector, String messageKey) {
                return invites.invite(selector, messageKey);
            }
        };
    }

    @Test
    void aForkedMessageIsStoredAndPushedOnceAndTheOtherBranchGets480() {
        bothHoldTheInstanceForMessages();
        gainer.receive(messageTo("z9hG4bKm.0"), toGainer);
        loser.receive(messageTo("z9hG4bKm.1"), toLoser);

        assertThat(gainer.push.of(Verb.TEXT_MESSAGE)).hasSize(1);
        assertThat(toGainer.last().status()).isEqualTo(202);
        assertThat(loser.push.sent).isEmpty();
        assertThat(loser.log.textMessages(SEL).join()).isEmpty();
        SipMessage declined = toLoser.last();
        assertThat(declined.status()).isEqualTo(480);
        assertThat(declined.header("x-sipis-reason")).contains(CallMachine.PUSHED_ELSEWHERE);
        assertThat(declined.header("reason")).contains("SIP;cause=480;text=\"pushed by S2\"");
        assertThat(loser.incoming.stats().messages()).containsEntry("pushed-by-another-process", 1L);
        assertThat(claims).containsEntry("m1@x|m1|1", "S2");

        // a retransmission of the declined branch gets the same 480 and still pushes nothing
        loser.receive(messageTo("z9hG4bKm.1"), toLoser);
        assertThat(toLoser.sent).extracting(SipMessage::status).containsExactly(480, 480);
        assertThat(loser.push.sent).isEmpty();
        // the winner's retransmission: the same 202, no second push
        gainer.receive(messageTo("z9hG4bKm.0"), toGainer);
        assertThat(toGainer.sent).extracting(SipMessage::status).containsExactly(202, 202);
        assertThat(gainer.push.of(Verb.TEXT_MESSAGE)).hasSize(1);
    }

    @Test
    void whicheverMessageBranchArrivesFirstIsStored() {
        bothHoldTheInstanceForMessages();
        loser.receive(messageTo("z9hG4bKn.1"), toLoser);
        gainer.receive(messageTo("z9hG4bKn.0"), toGainer);
        assertThat(loser.push.of(Verb.TEXT_MESSAGE)).hasSize(1);
        assertThat(toLoser.last().status()).isEqualTo(202);
        assertThat(gainer.push.sent).isEmpty();
        assertThat(toGainer.last().status()).isEqualTo(480);
    }

    @Test
    void messageRetransmissionsWaitForAPendingVerdictAndAFailedVerdictStoresIt() {
        gainer.add(SEL, CallHarness.token(APNS, OTHER, "alert1"));
        gainer.push.autoAccept = true;
        CompletableFuture<ForkGate.Verdict> verdict = new CompletableFuture<>();
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        gainer.incoming.setForkGate(new ForkGate() {
            @Override
            public java.util.concurrent.CompletionStage<Verdict> invite(String selector, String callKey) {
                throw new AssertionError("not an INVITE");
            }

            @Override
            public java.util.concurrent.CompletionStage<Verdict> message(String selector, String messageKey) {
                asked.add(messageKey);
                return verdict;
            }
        });
        gainer.receive(messageTo("z9hG4bKo"), toGainer);
        gainer.receive(messageTo("z9hG4bKo"), toGainer);
        assertThat(asked).containsExactly("m1@x|m1|1");
        assertThat(toGainer.sent).isEmpty();

        verdict.completeExceptionally(new IllegalStateException("db down"));
        gainer.owner.runReady();
        assertThat(gainer.push.of(Verb.TEXT_MESSAGE)).hasSize(1);
        assertThat(toGainer.sent).extracting(SipMessage::status).containsExactly(202);
    }

    @Test
    void withoutLeasesEveryMessageIsStored() {
        gainer.add(SEL, CallHarness.token(APNS, OTHER, "alert1"));
        gainer.push.autoAccept = true;
        gainer.receive(messageTo("z9hG4bKp"), toGainer);
        assertThat(toGainer.last().status()).isEqualTo(202);
        assertThat(gainer.push.of(Verb.TEXT_MESSAGE)).hasSize(1);
    }
}
