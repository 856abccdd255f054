package org.opensipis.sip.call;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.opensipis.sip.message.SipMessage;

/**
 * The server-transaction side of {@link CallMachine} (RFC 3261 17.2.1, RFC 6026): sends the 180s
 * and the final responses of INVITE transactions, retransmits a final non-2xx on Timer G until
 * the ACK or Timer H, keeps an accepted one until Timer L, and forgets the transaction at the
 * end. Runs on the transaction's owner, like the machine.
 */
final class InviteResponses {

    private final CallConfig cfg;
    private final Responses responses;
    private final Map<String, InviteTxn> txns;

    InviteResponses(CallConfig cfg, Responses responses, Map<String, InviteTxn> txns) {
        this.cfg = cfg;
        this.responses = responses;
        this.txns = txns;
    }

    void provisional(InviteTxn t, String pushStatus) {
        byte[] b = responses.build(t.invite, 180, "Ringing", t.toTag, t.peer,
                List.of(Responses.PUSH_STATUS + ": " + pushStatus));
        t.lastResponse = b;
        t.peer.send(b);
    }

    void sendFinal(InviteTxn t, int code, String phrase, List<String> extra) {
        sendFinalBytes(t, code, responses.build(t.invite, code, phrase, t.toTag, t.peer, extra));
    }

    void sendFinalBytes(InviteTxn t, int code, byte[] bytes) {
        t.lastResponse = bytes;
        t.finalCode = code;
        t.peer.send(bytes);
        if (code < 300) {
            // RFC 6026: the app leg (the TU) retransmits the 2xx until the ACK; retransmitted
            // INVITEs get it again here until Timer L, so they never start a new call
            t.state = InviteTxn.State.ACCEPTED;
            t.timerH = t.owner.schedule(() -> terminate(t), cfg.timers().transactionTimeoutMillis()); // Timer L
            return;
        }
        t.state = InviteTxn.State.COMPLETED;
        if (!t.peer.reliable()) {
            t.timerGMillis = cfg.timers().t1Millis();
            t.timerG = t.owner.schedule(() -> retransmit(t), t.timerGMillis);
        }
        t.timerH = t.owner.schedule(() -> terminate(t), cfg.timers().transactionTimeoutMillis());
    }

    /** Timer G: re-send the final response, doubling up to T2, until the ACK or Timer H. */
    private void retransmit(InviteTxn t) {
        if (t.state != InviteTxn.State.COMPLETED) {
            return;
        }
        t.peer.send(t.lastResponse);
        t.timerGMillis = cfg.timers().nextRetransmitMillis(t.timerGMillis);
        t.timerG = t.owner.schedule(() -> retransmit(t), t.timerGMillis);
    }

    void terminate(InviteTxn t) {
        t.state = InviteTxn.State.TERMINATED;
        t.cancelTimers();
        t.lastResponse = null;
        txns.remove(t.key, t);
        if (t.group != null) {
            t.group.forks.remove(t);
        }
    }

    String newTag() {
        byte[] b = new byte[16];
        cfg.random().nextBytes(b);
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    /** An ACK for one of our final non-2xx responses; false when it matches no transaction. */
    boolean onAck(SipMessage ack) {
        InviteTxn t = txns.get(TxnKeys.of(ack));
        if (t == null || t.finalCode < 300 || !TxnKeys.ackMatches(ack, t.toTag)) {
            return false;
        }
        if (t.state == InviteTxn.State.COMPLETED) {
            t.state = InviteTxn.State.CONFIRMED;
            t.cancelTimers();
            if (t.peer.reliable()) {
                terminate(t);
            } else {
                t.timerH = t.owner.schedule(() -> terminate(t), cfg.timers().t4Millis()); // Timer I
            }
        }
        return true;
    }
}
