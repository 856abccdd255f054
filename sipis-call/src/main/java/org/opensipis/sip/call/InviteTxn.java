package org.opensipis.sip.call;

import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;

/**
 * One INVITE server transaction (RFC 3261 17.2.1), keyed as RFC 3261 17.2.3 says
 * ({@link TxnKeys}): one fork of a call. Touched only on the instance's owner.
 */
final class InviteTxn {

    /** ACCEPTED: a 2xx went out; INVITE retransmissions get it again until Timer L (RFC 6026). */
    enum State { PROCEEDING, COMPLETED, CONFIRMED, ACCEPTED, TERMINATED }

    /** The transaction key ({@link TxnKeys#of}). */
    final String key;
    final SipMessage invite;
    final Peer peer;
    final CallGroup group;
    /** One To-tag for every response of this transaction (32 upper-case hex digits). */
    final String toTag;
    /** The instance's owner: every timer of this transaction runs there. */
    final Owner owner;
    State state = State.PROCEEDING;
    /** The last response sent: re-sent when the INVITE is retransmitted; retransmitted by Timer G. */
    byte[] lastResponse;
    int finalCode;
    long timerGMillis;
    Owner.Cancellable timerG;
    Owner.Cancellable timerH;
    /** Set once the app leg took this fork over: it sends the final response. */
    boolean takenOver;
    /** Told (with the CANCEL's Reason header values, empty after T2) when the call ends under the app leg. */
    java.util.function.Consumer<java.util.List<String>> onCancel;
    /** Set once this fork is handed over to the instance's new holder: its responses come from there. */
    volatile CallForwarder.Fwd forwarded;

    InviteTxn(String key, SipMessage invite, Peer peer, CallGroup group, String toTag, Owner owner) {
        this.owner = owner;
        this.key = key;
        this.invite = invite;
        this.peer = peer;
        this.group = group;
        this.toTag = toTag;
    }

    void cancelTimers() {
        if (timerG != null) {
            timerG.cancel();
            timerG = null;
        }
        if (timerH != null) {
            timerH.cancel();
            timerH = null;
        }
    }
}
