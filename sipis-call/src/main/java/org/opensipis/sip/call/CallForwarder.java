package org.opensipis.sip.call;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.opensipis.sip.message.HeaderNames;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a waiting call this process pushed over to the process that now holds its instance
 * (docs/design-rebalance.md, "A call pushed during a move"). This process keeps the caller's
 * INVITE server transaction and, for that one transaction, acts as a stateful proxy (RFC 3261
 * §16): it forwards the INVITE with its own Via on top and Max-Forwards decremented (no
 * Record-Route: the dialog runs between the caller and the new holder, whose Contact the 2xx
 * carries), retransmits it over UDP until a response (Timer A, B), passes every response but
 * 100 back to the caller without its Via, ACKs a final non-2xx itself, and forwards the caller's
 * CANCEL. The peer's address comes from the operator's settings (via the wiring), never from the
 * wire. Everything runs on the transaction's owner except {@link #response}.
 */
final class CallForwarder {

    private static final Logger LOG = LoggerFactory.getLogger(CallForwarder.class);
    static final String PAIRING = "X-Sipis-Pairing-Id";
    static final String HAND_OVER_FAILED = "Hand-Over-Failed";

    /** One forwarded INVITE: the client transaction towards the peer. Owner only. */
    static final class Fwd {
        final InviteTxn txn;
        final InetSocketAddress to;
        final String branch;
        byte[] invite;
        SipMessage forwarded;
        boolean sent;
        boolean provisional;
        boolean cancelPending;
        boolean done;
        List<String> cancelReasons = List.of();
        long retransmitMillis;
        Owner.Cancellable timerA;
        Owner.Cancellable deadline;

        Fwd(InviteTxn txn, InetSocketAddress to, String branch) {
            this.txn = txn;
            this.to = to;
            this.branch = branch;
        }
    }

    private final CallConfig cfg;
    private final InviteResponses wire;
    private final CallMachine machine;
    private final Map<String, InviteTxn> txns;
    private final Map<String, Fwd> byBranch = new ConcurrentHashMap<>();
    private volatile BiConsumer<InetSocketAddress, byte[]> sender;
    private volatile java.util.function.Supplier<String> viaSentBy;

    CallForwarder(CallConfig cfg, InviteResponses wire, CallMachine machine, Map<String, InviteTxn> txns) {
        this.cfg = cfg;
        this.wire = wire;
        this.machine = machine;
        this.txns = txns;
    }

    /**
     * This process no longer holds the instance: each fork of a call still waiting for the app is
     * handed to the new holder ({@link CallForwarder}); the call ends here without a missed-call
     * record or push (they are the new holder's now). Calls already taken over by the app leg stay.
     */
    void handOver(CallGroup g, java.net.InetSocketAddress to, ForkGate gate) {
        if (!g.waiting() || !enabled()) {
            return;
        }
        machine.endHandedOver(g);
        for (InviteTxn t : g.live()) {
            CallForwarder.Fwd f = prepare(t, to);
            java.util.concurrent.CompletionStage<Void> claimed;
            try {
                claimed = gate.handingOver(g.selector, TxnKeys.call(t.invite));
            } catch (RuntimeException e) {
                claimed = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            claimed.whenComplete((v, e) -> t.owner.execute(() -> {
                if (e != null) {
                    LOG.warn("Cannot record the push claim of call {} before handing it over: {}", g.callId, e.toString());
                }
                send(f, g.pairingId);
            }));
        }
    }

    /**
     * An INVITE (retransmission), ACK or CANCEL for an instance this process no longer knows, of a
     * transaction it still keeps (a handed-over call): handled on the transaction's owner. Any thread.
     */
    boolean handedOverTxn(SipMessage m, Peer peer) {
        String method = m.method();
        if (!"INVITE".equals(method) && !"ACK".equals(method) && !"CANCEL".equals(method)) {
            return false;
        }
        InviteTxn t = txns.get(TxnKeys.of(m));
        if (t == null || t.forwarded == null) {
            return false;
        }
        t.owner.execute(() -> {
            switch (method) {
                case "INVITE":
                    if (t.lastResponse != null && t.state != InviteTxn.State.CONFIRMED
                            && t.state != InviteTxn.State.TERMINATED) {
                        t.peer.send(t.lastResponse);
                    }
                    return;
                case "ACK":
                    machine.onAck(m);
                    return;
                default:
                    machine.onCancel(m, peer);
            }
        });
        return true;
    }

    /** Wired once: the endpoint's UDP socket and its address as the peer sees it ({@code host:port}). */
    void wire(BiConsumer<InetSocketAddress, byte[]> udpSender, java.util.function.Supplier<String> sentBy) {
        this.sender = udpSender;
        this.viaSentBy = sentBy;
    }

    boolean enabled() {
        return sender != null;
    }

    /** Marks the fork as handed over at once (a CANCEL that comes before the send is handled here). */
    Fwd prepare(InviteTxn t, InetSocketAddress to) {
        Fwd f = new Fwd(t, to, TxnKeys.COOKIE + hex(12));
        t.forwarded = f;
        return f;
    }

    /** Sends the INVITE to the peer, with the call's pairing id so the woken app finds it there. */
    void send(Fwd f, String pairingId) {
        InviteTxn t = f.txn;
        if (f.done || t.state != InviteTxn.State.PROCEEDING) {
            return;
        }
        int maxForwards = t.invite.intHeader(HeaderNames.MAX_FORWARDS).orElse(70);
        if (maxForwards <= 0) {
            f.done = true;
            wire.sendFinal(t, 483, "Too Many Hops", List.of());
            return;
        }
        StringBuilder b = new StringBuilder(1024);
        b.append(t.invite.startLine()).append("\r\n");
        b.append("Via: SIP/2.0/UDP ").append(viaSentBy.get()).append(";branch=").append(f.branch).append(";rport\r\n");
        for (int i = 0; i < t.invite.headerCount(); i++) {
            String name = t.invite.headerName(i);
            if (name.equals(HeaderNames.CONTENT_LENGTH) || name.equals(PAIRING.toLowerCase(Locale.ROOT))) {
                continue; // a pairing id from the wire is never passed on: ours replaces it
            }
            String value = name.equals(HeaderNames.MAX_FORWARDS) ? Integer.toString(maxForwards - 1) : t.invite.headerValue(i);
            b.append(HeaderNames.display(name)).append(": ").append(value).append("\r\n");
        }
        b.append(PAIRING).append(": ").append(pairingId).append("\r\n");
        f.invite = finish(b, t.invite.body());
        f.forwarded = SipMessage.parse(f.invite);
        f.sent = true;
        byBranch.put(f.branch, f);
        sender.accept(f.to, f.invite);
        f.retransmitMillis = cfg.timers().t1Millis();
        f.timerA = t.owner.schedule(() -> retransmit(f), f.retransmitMillis);
        // Timer B without any answer; once the peer answers, the call's own T1 + T2 and a margin
        long guard = cfg.timers().transactionTimeoutMillis();
        f.deadline = t.owner.schedule(() -> expired(f), guard);
        try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.call(
                t.group == null ? "" : t.group.selector, t.invite.callId())) {
            LOG.info("Handing call {} over to {}: forwarding the INVITE", t.invite.callId(), f.to);
        }
    }

    /** Timer A: the INVITE again until the peer answers at all. */
    private void retransmit(Fwd f) {
        if (f.provisional || f.done) {
            return;
        }
        sender.accept(f.to, f.invite);
        f.retransmitMillis = cfg.timers().nextRetransmitMillis(f.retransmitMillis);
        f.timerA = f.txn.owner.schedule(() -> retransmit(f), f.retransmitMillis);
    }

    /** No answer from the peer in time (Timer B), or no final answer long after the call's timers. */
    private void expired(Fwd f) {
        if (f.done) {
            return;
        }
        LOG.warn("Hand-over of call {} to {}: {}; answering the caller 480", f.txn.invite.callId(), f.to,
                f.provisional ? "no final answer" : "no answer");
        if (f.provisional) {
            sendCancel(f);
        }
        finished(f);
        if (f.txn.state == InviteTxn.State.PROCEEDING) {
            wire.sendFinal(f.txn, f.cancelPending ? 487 : 480, f.cancelPending ? "Request Terminated"
                    : "Temporarily Unavailable", List.of(Responses.REASON + ": " + HAND_OVER_FAILED));
        }
    }

    /** A response on the provider side: ours when its top Via branch is one we forwarded. I/O threads. */
    boolean response(SipMessage r) {
        Fwd f = byBranch.get(r.topBranch());
        if (f == null) {
            return false;
        }
        f.txn.owner.execute(() -> {
            try {
                onResponse(f, r);
            } catch (RuntimeException e) {
                LOG.warn("Cannot pass on {} of a handed-over call: {}", r, e.toString());
            }
        });
        return true;
    }

    private void onResponse(Fwd f, SipMessage r) {
        if ("CANCEL".equals(r.cseqMethod())) {
            return; // the peer's answer to our CANCEL: its 487 follows on the INVITE
        }
        int code = r.status();
        if (!f.provisional) {
            f.provisional = true;
            cancel(f.timerA);
            // the new holder's T1, then T2 after progress and T2 again under the app leg, and a margin
            f.deadline = reschedule(f, cfg.calls().notAnsweredMaxAge().plus(cfg.calls().progressMaxAge().multipliedBy(2))
                    .toMillis() + cfg.timers().transactionTimeoutMillis());
            if (f.cancelPending) {
                sendCancel(f);
            }
        }
        if (code == 100) {
            return;
        }
        InviteTxn t = f.txn;
        if (code >= 300) {
            sender.accept(f.to, ack(f, r));
        }
        byte[] up = withoutTopVia(r);
        if (f.done) {
            if (code >= 200 && code < 300) {
                t.peer.send(up); // a 2xx retransmitted by the peer: the caller needs it until it ACKs
            }
            return;
        }
        if (code < 200) {
            if (t.state == InviteTxn.State.PROCEEDING) {
                t.lastResponse = up;
                t.peer.send(up);
            }
            return;
        }
        finished(f);
        if (t.state == InviteTxn.State.PROCEEDING) {
            wire.sendFinalBytes(t, code, up);
        }
    }

    /** The caller's CANCEL (already answered 200): passed on, or, before the INVITE left, answered here. */
    void cancel(Fwd f, SipMessage cancel) {
        if (f.done) {
            return;
        }
        f.cancelReasons = cancel.headers("reason");
        if (!f.sent) {
            finished(f);
            wire.sendFinal(f.txn, 487, "Request Terminated", List.of());
        } else if (f.provisional) {
            sendCancel(f);
        } else {
            f.cancelPending = true; // RFC 3261 9.1: not before a provisional response
        }
    }

    private void sendCancel(Fwd f) {
        f.cancelPending = true;
        SipMessage inv = f.forwarded;
        sender.accept(f.to, hopByHop("CANCEL", inv, inv.header("to").orElse(""), f.cancelReasons));
        f.deadline = reschedule(f, cfg.timers().transactionTimeoutMillis());
    }

    /** The ACK of a final non-2xx, hop by hop (RFC 3261 17.1.1.3): the To of the response. */
    private static byte[] ack(Fwd f, SipMessage r) {
        return hopByHop("ACK", f.forwarded, r.header("to").orElse(""), List.of());
    }

    /**
     * A CANCEL or a non-2xx ACK of the forwarded INVITE (RFC 3261 9.1, 17.1.1.3): its Request-URI,
     * top Via (so the same branch), From, Call-ID and CSeq number, with {@code method}.
     */
    private static byte[] hopByHop(String method, SipMessage inv, String to, List<String> reasons) {
        StringBuilder b = new StringBuilder(512);
        b.append(method).append(' ').append(inv.requestUri()).append(" SIP/2.0\r\n");
        b.append("Via: ").append(inv.topVia()).append("\r\n");
        b.append("Max-Forwards: 70\r\n");
        b.append("From: ").append(inv.header("from").orElse("")).append("\r\n");
        b.append("To: ").append(to).append("\r\n");
        b.append("Call-ID: ").append(inv.callId()).append("\r\n");
        b.append("CSeq: ").append(inv.cseq()).append(' ').append(method).append("\r\n");
        for (String reason : reasons) {
            b.append("Reason: ").append(reason).append("\r\n");
        }
        return finish(b, "");
    }

    private void finished(Fwd f) {
        f.done = true;
        cancel(f.timerA);
        cancel(f.deadline);
        // kept a while: a retransmitted final is ACKed again, a retransmitted 2xx passed on
        f.txn.owner.schedule(() -> byBranch.remove(f.branch, f), cfg.timers().transactionTimeoutMillis());
    }

    private Owner.Cancellable reschedule(Fwd f, long millis) {
        cancel(f.deadline);
        return f.txn.owner.schedule(() -> expired(f), millis);
    }

    /** The response without the Via we added (the first value of the first Via line). */
    static byte[] withoutTopVia(SipMessage r) {
        StringBuilder b = new StringBuilder(1024);
        b.append(r.startLine()).append("\r\n");
        boolean stripped = false;
        for (int i = 0; i < r.headerCount(); i++) {
            String name = r.headerName(i);
            if (name.equals(HeaderNames.CONTENT_LENGTH)) {
                continue;
            }
            String value = r.headerValue(i);
            if (!stripped && name.equals(HeaderNames.VIA)) {
                stripped = true;
                int comma = value.indexOf(',');
                if (comma < 0) {
                    continue;
                }
                value = value.substring(comma + 1).trim();
            }
            b.append(HeaderNames.display(name)).append(": ").append(value).append("\r\n");
        }
        return finish(b, r.body());
    }

    private static byte[] finish(StringBuilder b, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        b.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    private static void cancel(Owner.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    private String hex(int n) {
        byte[] b = new byte[n];
        cfg.random().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
