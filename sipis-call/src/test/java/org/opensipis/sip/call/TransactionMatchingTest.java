package org.opensipis.sip.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.DeviceToken.Kind.INCOMING_CALL;
import static org.opensipis.core.instance.DeviceToken.Platform.APNS;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.push.Verb;

/** Server transactions are matched as RFC 3261 17.2.3 says, not by the Via branch alone. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransactionMatchingTest {

    private static final String SEL = "ABCDEF01";
    private final CallHarness h = new CallHarness();
    private final FakePeer first = new FakePeer(Transport.UDP);
    private final FakePeer second = new FakePeer(Transport.UDP);

    TransactionMatchingTest() {
        h.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"));
    }

    private static String from(String text, String sentBy, String fromTag) {
        return text.replace("127.0.0.1:5060;branch", sentBy + ";branch").replace("tag=from1", "tag=" + fromTag);
    }

    private static String without2543Branch(String text) {
        return text.replaceFirst(";branch=[^\\r]*\\r\\n", "\r\n");
    }

    @Test
    void sameBranchFromAnotherSentByIsAnotherCall() {
        h.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bKsame"), first);
        h.receive(from(CallHarness.invite(SEL, "c2@y", "z9hG4bKsame"), "192.0.2.9:5060", "other"), second);

        assertThat(h.push.of(Verb.INCOMING_CALL)).hasSize(2);
        assertThat(first.sent).hasSize(1); // no extra 180 for the first caller
        assertThat(second.sent).hasSize(1);
        assertThat(second.last().header("call-id")).contains("c2@y");

        h.receive(from(CallHarness.cancel(SEL, "c2@y", "z9hG4bKsame", null), "192.0.2.9:5060", "other"), second);
        assertThat(second.withStatus(200)).hasSize(1);
        assertThat(second.withStatus(487)).hasSize(1);
        assertThat(first.withStatus(487)).isEmpty();
    }

    @Test
    void aRetransmittedInviteGetsTheLastResponseAgainAndStartsNothing() {
        h.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bKr"), first);
        h.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bKr"), first);
        assertThat(h.push.of(Verb.INCOMING_CALL)).hasSize(1);
        assertThat(first.withStatus(180)).hasSize(2);
    }

    @Test
    void cancelMatchingNoInviteGets481() {
        h.receive(CallHarness.invite(SEL, "c1@x", "z9hG4bKa"), first);
        h.receive(CallHarness.cancel(SEL, "c1@x", "z9hG4bKb", null), first);
        assertThat(first.withStatus(481)).hasSize(1);
        assertThat(first.withStatus(487)).isEmpty();
        h.receive(from(CallHarness.cancel(SEL, "c1@x", "z9hG4bKa", null), "192.0.2.9:5060", "from1"), first);
        assertThat(first.withStatus(481)).hasSize(2); // same branch, another sent-by
    }

    @Test
    void rfc2543InvitesWithoutBranchAreTellApartByTheirFields() {
        h.receive(without2543Branch(CallHarness.invite(SEL, "c1@x", "x")), first);
        h.receive(without2543Branch(from(CallHarness.invite(SEL, "c2@x", "x"), "127.0.0.1:5060", "other")), second);
        assertThat(h.push.of(Verb.INCOMING_CALL)).hasSize(2);
        assertThat(first.sent).hasSize(1);

        h.receive(without2543Branch(CallHarness.invite(SEL, "c1@x", "x")), first); // retransmission
        assertThat(h.push.of(Verb.INCOMING_CALL)).hasSize(2);
        assertThat(first.withStatus(180)).hasSize(2);

        h.receive(without2543Branch(CallHarness.cancel(SEL, "c2@x", "x", null).replace("tag=from1", "tag=other")),
                second);
        assertThat(second.withStatus(200)).hasSize(1);
        assertThat(second.withStatus(487)).hasSize(1);
        assertThat(first.withStatus(487)).isEmpty();
    }
}
