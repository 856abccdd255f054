package org.opensipis.sip.relay;

import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;

/**
 * A request the relay sent inside a provider-leg dialog (our BYE, or the app's re-INVITE, UPDATE
 * or INFO) as a client transaction (RFC 3261 17.1): retransmitted on UDP (Timer A/E), given up
 * after 64·T1 (Timer B/F), its final response answered with an ACK for INVITE. Relay owner only.
 */
final class UpstreamTxn {

    final RelayCall call;
    final String method;
    final String branch;
    final long cseq;
    final byte[] request;
    /** The app's request this one relays (its answer goes back to the app), or null for our own BYE. */
    final SipMessage appRequest;
    final AppFlow appFlow;
    /**
     * RFC 3261 17.1: TRYING until a provisional response (an INVITE's "Calling"), PROCEEDING after
     * one (an INVITE stops retransmitting), COMPLETED once a final response arrived.
     */
    enum State { TRYING, PROCEEDING, COMPLETED }

    long retransmitMillis;
    State state = State.TRYING;
    /** The ACK sent for the final response to an INVITE: sent again when the final is retransmitted. */
    byte[] ack;
    Owner.Cancellable retransmitTimer;
    Owner.Cancellable timeoutTimer;

    UpstreamTxn(RelayCall call, String method, String branch, long cseq, byte[] request, SipMessage appRequest,
                AppFlow appFlow) {
        this.call = call;
        this.method = method;
        this.branch = branch;
        this.cseq = cseq;
        this.request = request;
        this.appRequest = appRequest;
        this.appFlow = appFlow;
    }

    boolean invite() {
        return "INVITE".equals(method);
    }

    void stopTimers() {
        if (retransmitTimer != null) {
            retransmitTimer.cancel();
            retransmitTimer = null;
        }
        if (timeoutTimer != null) {
            timeoutTimer.cancel();
            timeoutTimer = null;
        }
    }

    @Override
    public String toString() {
        return method + " (CSeq " + cseq + ") upstream in " + call;
    }
}
