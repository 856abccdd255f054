package org.opensipis.sip.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.DeviceToken.Kind.INCOMING_CALL;
import static org.opensipis.core.instance.DeviceToken.Kind.OTHER;
import static org.opensipis.core.instance.DeviceToken.Platform.APNS;
import static org.opensipis.core.instance.DeviceToken.Platform.FCM;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/** The call state machine on a fake clock: 180 sequence, T1/T2, CANCEL, forks, retransmissions. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IncomingCallsTest {

    private static final String SEL = "ABCDEF01";
    private final CallHarness h = new CallHarness();
    private final FakePeer proxy = new FakePeer(Transport.UDP);

    private void addIosAndAndroid() {
        h.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"), CallHarness.token(APNS, OTHER, "alert1"),
                CallHarness.token(FCM, OTHER, "fcm1"));
    }

    private static String pushStatus(SipMessage m) {
        return m.header("x-sipis-push-status").orElse(null);
    }

    private static String toTag(SipMessage m) {
        return HeaderParams.param(m.header("to").orElseThrow(), "tag");
    }

    @Test
    void inviteRingsAtOnceThenAgainWhenTheProviderAcceptsThePush() {
        addIosAndAndroid();
        h.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bK1"), proxy);

        SipMessage first = proxy.sent.get(0);
        assertThat(first.status()).isEqualTo(180);
        assertThat(first.reason()).isEqualTo("Ringing");
        assertThat(pushStatus(first)).isEqualTo("Alerting-Device");
        assertThat(toTag(first)).matches("[0-9A-F]{32}");
        assertThat(first.header("contact")).contains("<sip:s" + SEL + "@10.0.0.7:5099>");
        assertThat(first.header("user-agent")).contains("SIPIS-test/1.0");
        assertThat(first.header("allow")).contains(Responses.ALLOW);
        assertThat(first.header("supported")).contains("replaces, path");
        assertThat(first.headers("via")).hasSize(2);
        assertThat(first.header("record-route")).contains("<sip:127.0.0.1:5060;lr>");
        assertThat(first.header("content-length")).contains("0");

        List<FakePush.Sent> calls = h.push.of(Verb.INCOMING_CALL);
        assertThat(calls).extracting(s -> s.request().target().token()).containsExactlyInAnyOrder("voip1", "fcm1");
        PushRequest r = calls.get(0).request();
        assertThat(r.callId()).contains("c1@x");
        assertThat(r.pairingId()).isPresent();
        assertThat(r.callerName()).contains("Bob Caller");
        assertThat(r.callerUri()).contains("sip:bob@example.org");
        assertThat(r.sendTime()).isEqualTo(CallHarness.START);
        assertThat(r.deadline()).isEqualTo(CallHarness.START.plus(CallHarness.T1));
        assertThat(proxy.sent).hasSize(1);

        calls.get(0).outcome().complete(new PushOutcome.Accepted("a"));
        h.owner.runReady();
        calls.get(1).outcome().complete(new PushOutcome.Accepted("b"));
        h.owner.runReady();
        assertThat(proxy.sent).hasSize(2);
        assertThat(pushStatus(proxy.sent.get(1))).isEqualTo("Push-Notification-Sent");
        assertThat(toTag(proxy.sent.get(1))).isEqualTo(toTag(first));
        assertThat(h.incoming.stats().accepted()).isEqualTo(1);
        assertThat(h.incoming.stats().pending()).isEqualTo(1);
    }

    @Test
    void t1EndsTheCallWith480AndTheConfiguredResponseThenPushesTheMissedCall() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "c2@x", "z9hG4bK2"), proxy);
        h.advance(CallHarness.T1.minusMillis(1));
        assertThat(proxy.withStatus(480)).isEmpty();
        h.advance(Duration.ofMillis(1));

        SipMessage fin = proxy.last();
        assertThat(fin.status()).isEqualTo(480);
        assertThat(fin.reason()).isEqualTo("Nobody Home");
        assertThat(fin.header("x-sipis-reason")).contains("No-Response-From-Device");
        assertThat(toTag(fin)).isEqualTo(toTag(proxy.sent.get(0)));
        assertThat(h.log.missedCalls(SEL).join()).singleElement()
                .satisfies(m -> assertThat(m.reason()).isEqualTo("no-response-from-device"));
        List<FakePush.Sent> missed = h.push.of(Verb.MISSED_CALL);
        assertThat(missed).extracting(s -> s.request().target().token()).containsExactlyInAnyOrder("alert1", "fcm1");
        assertThat(missed.get(0).request().badge()).hasValue(1);
        assertThat(missed.get(0).request().callId()).contains("c2@x");
        assertThat(h.incoming.stats().missed()).isEqualTo(1);
        assertThat(h.incoming.stats().outcomes()).containsEntry("no-response-from-device", 1L);
        assertThat(h.incoming.stats().pending()).isZero();
    }

    @Test
    void finalResponseIsRetransmittedOverUdpUntilTheAckWhichIsAbsorbed() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "c3@x", "z9hG4bK3"), proxy);
        h.advance(CallHarness.T1);
        assertThat(proxy.withStatus(480)).hasSize(1);
        h.advance(Duration.ofMillis(500));
        h.advance(Duration.ofMillis(1000));
        assertThat(proxy.withStatus(480)).hasSize(3); // Timer G: 500 ms, then 1 s
        h.receive(CallHarness.ack(SEL, "c3@x", "z9hG4bK3", toTag(proxy.last())), proxy);
        int before = proxy.sent.size();
        h.advance(Duration.ofSeconds(60));
        assertThat(proxy.sent).hasSize(before);
        assertThat(h.owner.pendingTimers()).isZero();
    }

    @Test
    void withoutAckTimerHStopsTheRetransmissions() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "c4@x", "z9hG4bK4"), proxy);
        h.advance(CallHarness.T1);
        h.advance(Duration.ofSeconds(40));
        long n = proxy.withStatus(480).size();
        assertThat(n).isBetween(8L, 14L); // 0.5, 1, 2, 4, 4, ... up to 32 s
        h.advance(Duration.ofSeconds(60));
        assertThat(proxy.withStatus(480)).hasSize((int) n);
        assertThat(h.owner.pendingTimers()).isZero();
    }

    @Test
    void reliableFlowsGetNoRetransmissions() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        FakePeer tcp = new FakePeer(Transport.TCP);
        h.receive(CallHarness.invite(SEL, "c5@x", "z9hG4bK5"), tcp);
        assertThat(tcp.sent.get(0).header("contact")).contains("<sip:s" + SEL + "@10.0.0.7:5099;transport=tcp>");
        h.advance(CallHarness.T1.plusSeconds(10));
        assertThat(tcp.withStatus(480)).hasSize(1);
    }

    @Test
    void deviceProgressRingsCancelsT1AndStartsT2OnlyOnce() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "c6@x", "z9hG4bK6"), proxy);
        String pairing = h.push.of(Verb.INCOMING_CALL).get(0).request().pairingId().orElseThrow();
        h.advance(Duration.ofSeconds(100));

        var first = h.incoming.deviceMakingProgress(SEL, pairing);
        h.owner.runReady();
        assertThat(first.join()).isTrue();
        assertThat(pushStatus(proxy.last())).isEqualTo("Device-Making-Progress");
        var again = h.incoming.deviceMakingProgress(SEL, pairing);
        h.owner.runReady();
        assertThat(again.join()).isFalse();
        assertThat(h.incoming.deviceMakingProgress("OTHER", pairing).join()).isFalse();

        h.advance(Duration.ofSeconds(59)); // past the original T1, before T2
        assertThat(proxy.withStatus(480)).isEmpty();
        h.advance(Duration.ofSeconds(1));
        assertThat(proxy.last().status()).isEqualTo(480);
        assertThat(proxy.last().header("x-sipis-reason")).contains("No-Answer-From-Device");
        assertThat(h.incoming.stats().outcomes()).containsEntry("no-answer-from-device", 1L);
    }

    @Test
    void cancelAnswers200And487AndPushesTheMissedCallWithTheBadge() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "c7@x", "z9hG4bK7"), proxy);
        h.receive(CallHarness.cancel(SEL, "c7@x", "z9hG4bK7", null), proxy);
        assertThat(proxy.sent.stream().filter(m -> m.header("cseq").orElse("").endsWith("CANCEL")).toList())
                .singleElement().satisfies(m -> assertThat(m.status()).isEqualTo(200));
        SipMessage terminated = proxy.withStatus(487).get(0);
        assertThat(toTag(terminated)).isEqualTo(toTag(proxy.sent.get(0)));
        assertThat(h.log.badge(SEL).join()).isEqualTo(1);
        assertThat(h.push.of(Verb.MISSED_CALL)).hasSize(2)
                .allSatisfy(s -> assertThat(s.request().badge()).hasValue(1));
        assertThat(h.push.of(Verb.ANSWERED_ELSEWHERE)).isEmpty();
        assertThat(h.incoming.stats().outcomes()).containsEntry("cancelled", 1L);
        h.advance(CallHarness.T1.plusSeconds(1));
        assertThat(proxy.withStatus(480)).isEmpty();
    }

    @Test
    void cancelAnsweredElsewherePushesThatInsteadOfAMissedCall() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "c8@x", "z9hG4bK8"), proxy);
        h.receive(CallHarness.cancel(SEL, "c8@x", "z9hG4bK8", "SIP;cause=200;text=\"Call completed elsewhere\""), proxy);
        assertThat(proxy.withStatus(487)).hasSize(1);
        assertThat(h.push.of(Verb.ANSWERED_ELSEWHERE)).extracting(s -> s.request().target().token())
                .containsExactlyInAnyOrder("alert1", "fcm1");
        assertThat(h.push.of(Verb.ANSWERED_ELSEWHERE).get(0).request().callId()).contains("c8@x");
        assertThat(h.push.of(Verb.MISSED_CALL)).isEmpty();
        assertThat(h.log.badge(SEL).join()).isZero();
        assertThat(h.incoming.stats().answeredElsewhere()).isEqualTo(1);
    }

    @Test
    void cancelForAnUnknownTransactionIs481() {
        addIosAndAndroid();
        h.receive(CallHarness.cancel(SEL, "nope@x", "z9hG4bKnone", null), proxy);
        assertThat(proxy.last().status()).isEqualTo(481);
    }

    @Test
    void retransmittedInviteRepeatsTheLastResponseWithoutPushingAgain() {
        addIosAndAndroid();
        h.receive(CallHarness.invite(SEL, "c9@x", "z9hG4bK9"), proxy);
        h.receive(CallHarness.invite(SEL, "c9@x", "z9hG4bK9"), proxy);
        assertThat(proxy.sent).hasSize(2);
        assertThat(proxy.sent.get(1).header("x-sipis-push-status")).contains("Alerting-Device");
        assertThat(h.push.of(Verb.INCOMING_CALL)).hasSize(2);
        assertThat(h.incoming.stats().invites()).isEqualTo(1);
    }

    @Test
    void forkedInviteGetsItsOwnTransactionAndTagButNoSecondPush() {
        addIosAndAndroid();
        h.receive(CallHarness.invite(SEL, "c10@x", "z9hG4bKa"), proxy);
        h.push.of(Verb.INCOMING_CALL).get(0).outcome().complete(new PushOutcome.Accepted("x"));
        h.owner.runReady();
        h.receive(CallHarness.invite(SEL, "c10@x", "z9hG4bKb"), proxy);
        assertThat(h.push.of(Verb.INCOMING_CALL)).hasSize(2);
        List<SipMessage> forkB = proxy.sent.stream().filter(m -> m.topBranch().equals("z9hG4bKb")).toList();
        assertThat(forkB).extracting(IncomingCallsTest::pushStatus)
                .containsExactly("Alerting-Device", "Push-Notification-Sent");
        assertThat(toTag(forkB.get(0))).isNotEqualTo(toTag(proxy.sent.get(0)));

        h.receive(CallHarness.cancel(SEL, "c10@x", "z9hG4bKb", null), proxy);
        assertThat(proxy.withStatus(487)).hasSize(1);
        assertThat(h.push.of(Verb.MISSED_CALL)).isEmpty(); // fork a still rings
        h.advance(CallHarness.T1);
        assertThat(proxy.withStatus(480)).extracting(SipMessage::topBranch).containsExactly("z9hG4bKa");
        assertThat(h.push.of(Verb.MISSED_CALL)).hasSize(2);
    }

    @Test
    void concurrentCallsToOneInstanceAreIndependent() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "d1@x", "z9hG4bKd1"), proxy);
        h.receive(CallHarness.invite(SEL, "d2@x", "z9hG4bKd2"), proxy);
        h.receive(CallHarness.cancel(SEL, "d1@x", "z9hG4bKd1", null), proxy);
        assertThat(h.incoming.stats().pending()).isEqualTo(1);
        h.advance(CallHarness.T1);
        assertThat(proxy.withStatus(480)).extracting(SipMessage::callId).containsExactly("d2@x");
        assertThat(h.log.badge(SEL).join()).isEqualTo(2);
    }

    @Test
    void noTokenIs480WithReasonAndUnknownInstanceIs404() {
        h.add(SEL);
        h.receive(CallHarness.invite(SEL, "e1@x", "z9hG4bKe1"), proxy);
        assertThat(proxy.last().status()).isEqualTo(480);
        assertThat(proxy.last().header("x-sipis-reason")).contains("No-Device-Token");
        h.receive(CallHarness.ack(SEL, "e1@x", "z9hG4bKe1", toTag(proxy.last())), proxy);
        h.receive(CallHarness.invite("FFFF", "e2@x", "z9hG4bKe2"), proxy);
        assertThat(proxy.last().status()).isEqualTo(404);
        assertThat(h.incoming.stats().outcomes()).containsEntry("no-device-token", 1L)
                .containsEntry("unknown-instance", 1L);
        h.advance(Duration.ofMinutes(1));
        assertThat(proxy.withStatus(480)).hasSize(1); // the ACK stopped Timer G
    }

    @Test
    void overloadIs503WithRetryAfter() {
        CallHarness small = new CallHarness(1);
        small.add(SEL, CallHarness.token(FCM, OTHER, "f"));
        small.receive(CallHarness.invite(SEL, "o1@x", "z9hG4bKo1"), proxy);
        small.receive(CallHarness.invite(SEL, "o2@x", "z9hG4bKo2"), proxy);
        assertThat(proxy.last().status()).isEqualTo(503);
        assertThat(proxy.last().header("retry-after")).contains("7");
        assertThat(small.incoming.stats().outcomes()).containsEntry("overload", 1L);
    }

    @Test
    void allPushesRefusedEndTheCallAtOnce() {
        addIosAndAndroid();
        h.receive(CallHarness.invite(SEL, "p1@x", "z9hG4bKp1"), proxy);
        for (FakePush.Sent s : h.push.of(Verb.INCOMING_CALL)) {
            s.outcome().complete(PushOutcome.Rejected.of("BadDeviceToken"));
        }
        h.owner.runReady();
        assertThat(proxy.last().status()).isEqualTo(480);
        assertThat(proxy.last().header("x-sipis-reason")).contains("Push-Failed");
    }

    @Test
    void appLegTakesOverAndAnswersWithinT2() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "q1@x", "z9hG4bKq1"), proxy);
        String pairing = h.push.of(Verb.INCOMING_CALL).get(0).request().pairingId().orElseThrow();
        var taken = h.incoming.takeOver(SEL, pairing);
        h.owner.runReady();
        PendingCall call = taken.join().orElseThrow();
        assertThat(call.invite().callId()).isEqualTo("q1@x");
        var second = h.incoming.takeOver(SEL, pairing);
        h.owner.runReady();
        assertThat(second.join()).isEmpty();
        h.advance(CallHarness.T2.minusSeconds(1));
        assertThat(proxy.withStatus(480)).isEmpty();
        var answered = call.respond(200, "OK", List.of(), "application/sdp", "v=0\r\n");
        h.owner.runReady();
        assertThat(answered.join()).isTrue();
        assertThat(proxy.last().status()).isEqualTo(200);
        assertThat(proxy.last().body()).isEqualTo("v=0\r\n");
        assertThat(toTag(proxy.last())).isEqualTo(call.toTag());
        assertThat(h.incoming.stats().answered()).isEqualTo(1);
        assertThat(h.incoming.stats().pending()).isZero();

        int pushes = h.push.sent.size();
        h.receive(CallHarness.invite(SEL, "q1@x", "z9hG4bKq1"), proxy); // retransmission after the 2xx
        assertThat(proxy.last().status()).isEqualTo(200);
        assertThat(h.push.sent).hasSize(pushes);
        h.advance(Duration.ofSeconds(33)); // Timer L
        assertThat(h.owner.pendingTimers()).isZero();
    }

    @Test
    void malformedInviteIsRefusedWith400AndNothingIsPushed() {
        addIosAndAndroid();
        h.receive(CallHarness.invite(SEL, "bad@x", "z9hG4bKbad").replace("CSeq: 1 INVITE", "CSeq: x INVITE"), proxy);
        h.receive(CallHarness.message(SEL, "z9hG4bKbadm", "text/plain", "x", null).replace("CSeq: 1", "CSeq: y"),
                proxy);
        assertThat(proxy.sent).extracting(SipMessage::status).containsOnly(400);
        assertThat(h.push.sent).isEmpty();
    }

    @Test
    void aTakenOverCallTheAppLegNeverAnswersEndsAfterT2() {
        addIosAndAndroid();
        h.push.autoAccept = true;
        h.receive(CallHarness.invite(SEL, "q2@x", "z9hG4bKq2"), proxy);
        String pairing = h.push.of(Verb.INCOMING_CALL).get(0).request().pairingId().orElseThrow();
        var taken = h.incoming.takeOver(SEL, pairing);
        h.owner.runReady();
        PendingCall call = taken.join().orElseThrow();
        boolean[] told = new boolean[1];
        call.onCancel(reasons -> told[0] = true);
        h.advance(CallHarness.T2);
        assertThat(proxy.last().status()).isEqualTo(480);
        assertThat(proxy.last().header("x-sipis-reason")).contains("No-Answer-From-Device");
        assertThat(told[0]).isTrue();
        assertThat(h.incoming.stats().pending()).isZero();
    }

    @Test
    void optionsIsAnswered200() {
        h.receive("OPTIONS sip:s1@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKo\r\n"
                + "From: <sip:p@x>;tag=1\r\nTo: <sip:s1@127.0.0.1>\r\nCall-ID: o@x\r\nCSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n", proxy);
        assertThat(proxy.last().status()).isEqualTo(200);
        assertThat(Optional.ofNullable(proxy.last().header("allow").orElse(null))).isPresent();
    }
}
