package org.opensipis.sip.relay;

import static org.opensipis.sip.relay.CallRelay.TIMERS;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's requests inside provider-leg dialogs (our BYE, the app's re-INVITE, UPDATE, INFO,
 * REFER, NOTIFY, MESSAGE) as RFC 3261 17.1 client transactions: retransmitted on UDP (Timer A/E),
 * given up after 64·T1 (Timer B/F) with 408 to the app, the final response to an INVITE ACKed, the
 * caller's answers passed back to the app. On the owner of the call's selector, except {@link #response}.
 */
final class UpstreamRequests {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamRequests.class);

    private final Owners owners;
    private final Supplier<String> branches;
    private final Map<String, UpstreamTxn> byBranch = new ConcurrentHashMap<>();

    UpstreamRequests(Owners owners, Supplier<String> branches) {
        this.owners = owners;
        this.branches = branches;
    }

    /**
     * A response on the provider side: handled on the owner when it answers one of ours (RFC 3261
     * 17.1.3: same branch and CSeq method). Any thread. False when it matches none.
     */
    boolean response(SipMessage r) {
        UpstreamTxn t = byBranch.get(r.topBranch());
        if (t == null || !t.method.equals(r.cseqMethod())) {
            return false;
        }
        owners.of(t.call.selector).execute(() -> {
            try {
                onResponse(t, r);
            } catch (RuntimeException e) {
                LOG.warn("Cannot relay {} for {}: {}", r, t, e.toString());
            }
        });
        return true;
    }

    /** Sends {@code method} in {@code c}'s provider-leg dialog, relaying {@code appRequest} (or null for our BYE). */
    void send(RelayCall c, String method, SipMessage appRequest, AppFlow appFlow) {
        String branch = branches.get();
        long cseq = ++c.upstreamCseq;
        String contact = RelayMessages.targetRefresh(method) ? c.pending.contact() : null;
        byte[] bytes = request(c, contact, method, branch, cseq, appRequest);
        Owners.check(owners.of(c.selector), "UpstreamRequests.send", c.selector);
        UpstreamTxn t = new UpstreamTxn(c, method, branch, cseq, bytes, appRequest, appFlow);
        byBranch.put(branch, t);
        c.pending.sendUpstream(bytes);
        if (!c.pending.upstreamReliable()) {
            t.retransmitMillis = TIMERS.t1Millis();
            t.retransmitTimer = owners.of(t.call.selector).schedule(() -> retransmit(t), t.retransmitMillis);
        }
        t.timeoutTimer = owners.of(t.call.selector).schedule(() -> timedOut(t), TIMERS.transactionTimeoutMillis());
    }

    /** Timer A (INVITE: doubling until a provisional) or E (others: doubling up to T2). */
    private void retransmit(UpstreamTxn t) {
        t.retransmitTimer = null;
        if (t.state == UpstreamTxn.State.COMPLETED || (t.invite() && t.state == UpstreamTxn.State.PROCEEDING)) {
            return;
        }
        t.call.pending.sendUpstream(t.request);
        t.retransmitMillis = t.invite() ? TIMERS.nextInviteRetransmitMillis(t.retransmitMillis)
                : TIMERS.nextRetransmitMillis(t.retransmitMillis);
        t.retransmitTimer = owners.of(t.call.selector).schedule(() -> retransmit(t), t.retransmitMillis);
    }

    /** Timer B/F: no final response within 64·T1. The app's request is answered 408. */
    private void timedOut(UpstreamTxn t) {
        t.timeoutTimer = null;
        if (t.state == UpstreamTxn.State.COMPLETED) {
            return;
        }
        t.stopTimers();
        byBranch.remove(t.branch, t);
        LOG.info("No final response to {}", t);
        if (t.appRequest != null) {
            t.appFlow.send(RelayMessages.response(t.appRequest, 408, "Request Timeout", null));
        }
    }

    /** The caller's response to one of our requests: ACK an INVITE's final, relay to the app. */
    private void onResponse(UpstreamTxn t, SipMessage r) {
        int code = r.status();
        if (code < 200) {
            if (t.state == UpstreamTxn.State.COMPLETED) {
                return; // a late provisional
            }
            t.state = UpstreamTxn.State.PROCEEDING;
            if (code > 100 && t.appRequest != null) {
                t.appFlow.send(RelayMessages.relayedResponse(t.appRequest, r, t.call.localContact));
            }
            return;
        }
        if (t.state == UpstreamTxn.State.COMPLETED) {
            if (t.ack != null) {
                t.call.pending.sendUpstream(t.ack); // a retransmitted final: ACK it again
            }
            return;
        }
        t.state = UpstreamTxn.State.COMPLETED;
        t.stopTimers();
        if (t.invite()) {
            // a 2xx is ACKed end to end in a new transaction, a non-2xx hop by hop on the INVITE's branch
            t.ack = request(t.call, null, "ACK", code < 300 ? branches.get() : t.branch, t.cseq, null);
            t.call.pending.sendUpstream(t.ack);
        }
        if (t.appRequest != null) {
            t.appFlow.send(RelayMessages.relayedResponse(t.appRequest, r, t.call.localContact));
        }
        // keep the transaction for retransmitted finals (Timer D/K), then forget it
        if (t.call.pending.upstreamReliable()) {
            byBranch.remove(t.branch, t);
        } else {
            owners.of(t.call.selector).schedule(() -> byBranch.remove(t.branch, t), TIMERS.transactionTimeoutMillis());
        }
    }

    private static byte[] request(RelayCall c, String contact, String method, String branch, long cseq,
                                  SipMessage appRequest) {
        SipMessage invite = c.pending.invite();
        return CallRelay.bytes(RelayMessages.upstreamRequest(invite, c.pending.toTag(), c.upstreamTarget,
                RelayMessages.viaTransport(invite), RelayMessages.hostPortOf(c.pending.contact()), contact, method,
                branch, cseq, appRequest));
    }
}
