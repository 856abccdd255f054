package org.opensipis.sip.call;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.opensipis.sip.message.SipMessage;

/**
 * A waiting call the app leg (issue 7) took over with {@link IncomingRequests#takeOver}: T1/T2
 * no longer run, and the app leg sends the final response upstream. Thread-safe: every method
 * hops onto the instance's owner.
 */
public final class PendingCall {

    private final InviteTxn txn;
    private final CallMachine machine;

    PendingCall(InviteTxn txn, CallMachine machine) {
        this.txn = txn;
        this.machine = machine;
    }

    public String selector() {
        return txn.group.selector;
    }

    public String pairingId() {
        return txn.group.pairingId;
    }

    /** The original INVITE from the provider's proxy (SDP offer, Record-Route, From, ...). */
    public SipMessage invite() {
        return txn.invite;
    }

    /** Our To-tag: the dialog's local tag. */
    public String toTag() {
        return txn.toTag;
    }

    /** Our Contact URI, as written in the responses. */
    public String contact() {
        return machine.contact(txn);
    }

    /**
     * Sends a response upstream on the INVITE's flow, with our To-tag, Contact, Allow, Supported
     * and User-Agent; 1xx keeps the call waiting, 2xx answers it (the app leg then retransmits
     * the 2xx until the ACK, RFC 3261 13.3.1.4, with {@link #sendUpstream}), 3xx–6xx refuse it
     * (Timer G/H handled here). Completes with false when the INVITE is no longer waiting.
     *
     * @param headers     more header lines ({@code Name: value}), e.g. {@code Content-Disposition}
     * @param contentType body type, or null for none
     * @param body        the body (SDP answer), or null
     */
    public CompletableFuture<Boolean> respond(int code, String phrase, List<String> headers, String contentType,
                                              String body) {
        Objects.requireNonNull(phrase, "phrase");
        List<String> h = List.copyOf(headers);
        if (code < 101 || code > 699) {
            throw new IllegalArgumentException("response code must be 101..699, was " + code);
        }
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        txn.owner.execute(() -> done.complete(machine.appResponse(txn, code, phrase, h, contentType, body)));
        return done;
    }

    /**
     * Re-sends the 2xx this call was answered with, while no ACK has ended the transaction: the
     * app leg (the TU) retransmits it until the ACK (RFC 3261 13.3.1.4). No effect otherwise.
     */
    public void resendAnswer() {
        txn.owner.execute(() -> {
            if (txn.state == InviteTxn.State.ACCEPTED && txn.lastResponse != null) {
                txn.peer.send(txn.lastResponse);
            }
        });
    }

    /** True when the flow the INVITE came on is TCP or TLS (no retransmissions needed). */
    public boolean upstreamReliable() {
        return txn.peer.reliable();
    }

    /** Sends raw bytes (a relayed request or response) on the flow the INVITE came on. */
    public void sendUpstream(byte[] message) {
        txn.peer.send(message);
    }

    /**
     * Called (on the owner) when the call ends under the app leg: the proxy CANCELled it (200
     * for the CANCEL and 487 for the INVITE already sent), or the app leg sent no final
     * response within T2 (480 No-Answer-From-Device already sent). The consumer gets the
     * CANCEL's {@code Reason} header values (RFC 3326; {@code SIP;cause=200} when the call was
     * answered elsewhere), empty after T2.
     */
    public void onCancel(java.util.function.Consumer<List<String>> r) {
        Objects.requireNonNull(r, "r");
        txn.owner.execute(() -> txn.onCancel = r);
    }
}
