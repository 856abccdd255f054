package org.opensipis.sip.relay;

import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.call.PendingCall;
import org.opensipis.sip.owner.Owner;

/** One relayed call: the provider leg (a taken-over {@link PendingCall}) and the app leg. Relay owner only. */
final class RelayCall {

    enum State {
        /** INVITE sent to the app, no final response yet. */
        INVITING,
        /** The provider's CANCEL (or T2) ended the provider leg; CANCEL sent to the app. */
        CANCELLING,
        /** The app answered; 2xx sent upstream, waiting for the upstream ACK. */
        ANSWERED,
        /** Upstream ACK received: the call is up. */
        CONFIRMED,
        /** BYE either way, or a final non-2xx: nothing more to relay. */
        ENDED
    }

    final PendingCall pending;
    final String pairingId;
    final String selector;
    final AppFlow flow;
    final String appTransport;
    final String localHostPort;
    final String localContact;
    final String appAor;
    final String callerFrom;
    final String appCallId;
    final String appFromTag;
    final String inviteBranch;
    final String upstreamCallId;
    /** {@link #dialogKey} of the provider leg. */
    final String upstreamDialog;
    /** The caller's Contact: where requests in the provider-leg dialog go (refreshed by its re-INVITE/UPDATE). */
    String upstreamTarget;
    /** The app's Contact from its 2xx once answered; the binding's Contact before. */
    String appTarget;
    String appToTag;
    State state = State.INVITING;
    long appCseq = 1;
    long upstreamCseq;
    long answerRetransmitMillis;
    long answerWaitedMillis;
    Owner.Cancellable answerTimer;
    /** Caller requests relayed to the app and not answered finally yet, by our app-leg CSeq. */
    final java.util.Map<Long, Relayed> relayed = new java.util.HashMap<>(2);

    /** A caller's in-dialog request relayed to the app: where its answer goes. */
    record Relayed(org.opensipis.sip.message.SipMessage request, org.opensipis.sip.transport.Flow flow) {
    }

    RelayCall(PendingCall pending, AppFlow flow, String appContact, String appAor, String callerFrom,
              String appCallId, String appFromTag, String inviteBranch) {
        this.pending = pending;
        this.pairingId = pending.pairingId();
        this.selector = pending.selector();
        this.flow = flow;
        this.appTransport = flow.transport();
        this.localHostPort = RelayMessages.hostPort(flow.local());
        this.localContact = "sip:sipis@" + localHostPort + ";transport=" + appTransport.toLowerCase(java.util.Locale.ROOT);
        this.appTarget = appContact;
        this.appAor = appAor;
        this.callerFrom = callerFrom;
        this.appCallId = appCallId;
        this.appFromTag = appFromTag;
        this.inviteBranch = inviteBranch;
        this.upstreamCallId = pending.invite().callId();
        this.upstreamDialog = dialogKey(upstreamCallId, pending.toTag());
        this.upstreamTarget = pending.invite().header("contact").map(org.opensipis.sip.message.HeaderParams::uri)
                .orElse(null);
        this.upstreamCseq = pending.invite().cseq() + 1000;
    }

    /** A provider-leg dialog: Call-ID and our local (To) tag; a null tag matches no relayed call. */
    static String dialogKey(String callId, String localTag) {
        return callId + '\n' + (localTag == null ? "" : localTag);
    }

    void stopAnswerTimer() {
        if (answerTimer != null) {
            answerTimer.cancel();
            answerTimer = null;
        }
    }

    @Override
    public String toString() {
        return "relayed call " + upstreamCallId + " (app leg " + appCallId + ", " + selector + ", " + state + ")";
    }
}
