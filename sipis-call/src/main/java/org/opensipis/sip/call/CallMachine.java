package org.opensipis.sip.call;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.opensipis.core.call.CallLog;
import org.opensipis.core.call.MissedCall;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.RejectWith;
import org.opensipis.sip.message.SipMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incoming-call state machine (docs/incoming-calls.md): INVITE → pushes + 180 sequence →
 * T1/T2 → 480, CANCEL → 487 + missed-call push, ACK absorption, Timer G/H retransmission of
 * final responses. Every method runs on the instance's owner (group.owner).
 */
final class CallMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CallMachine.class);

    static final String ALERTING = "Alerting-Device";
    static final String PUSH_SENT = "Push-Notification-Sent";
    static final String PROGRESS = "Device-Making-Progress";
    static final String NO_RESPONSE = "No-Response-From-Device";
    static final String NO_ANSWER = "No-Answer-From-Device";
    static final String NO_TOKEN = "No-Device-Token";
    static final String PUSH_FAILED = "Push-Failed";
    static final String TAKEN_OVER = "Answered-On-Another-Fork";
    static final String PUSHED_ELSEWHERE = "Pushed-By-Another-Process";

    private final CallConfig cfg;
    private final Responses responses;
    private final PushService push;
    private final Notices notices;
    private final IncomingListener listener;
    private final Counters counters;
    private final Map<String, InviteTxn> txns;
    private final Map<String, CallGroup> groups;
    private final Map<String, CallGroup> byPairing;
    /** Sends this machine's responses and runs their server-transaction timers. */
    private final InviteResponses wire;
    /** Hands waiting calls to the instance's new holder (leases only). */
    private final CallForwarder forwarder;

    CallMachine(CallConfig cfg, Responses responses, PushService push, CallLog log, IncomingListener listener,
                Counters counters, Map<String, InviteTxn> txns, Map<String, CallGroup> groups,
                Map<String, CallGroup> byPairing) {
        this.cfg = cfg;
        this.responses = responses;
        this.push = push;
        this.notices = new Notices(cfg.clock(), push, log);
        this.listener = listener;
        this.counters = counters;
        this.txns = txns;
        this.groups = groups;
        this.byPairing = byPairing;
        this.wire = new InviteResponses(cfg, responses, txns);
        this.forwarder = new CallForwarder(cfg, wire, this, txns);
    }

    void onInvite(Directory.Callee c, SipMessage m, Peer peer) {
        String txnKey = TxnKeys.of(m);
        InviteTxn t = txns.get(txnKey);
        if (t != null) {
            if (t.lastResponse != null && t.state != InviteTxn.State.CONFIRMED && t.state != InviteTxn.State.TERMINATED) {
                t.peer.send(t.lastResponse); // retransmitted INVITE: repeat the last response
            }
            return;
        }
        counters.invites.increment();
        if (LOG.isDebugEnabled()) { // at INFO, a line per call was ~12 % of the SIP I/O thread (docs/benchmarks.md)
            try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.call(c.selector(), m.callId())) {
                LOG.debug("Incoming call {} for selector {} from {}", m.callId(), c.selector(), peer);
            }
        }
        String key = c.selector() + "|" + m.callId();
        CallGroup g = groups.get(key);
        if (g != null) {
            joinFork(g, txnKey, m, peer);
            return;
        }
        List<DeviceToken> tokens = Tokens.forCall(c.record().tokens());
        if (tokens.isEmpty() || counters.pending.get() >= cfg.maxPendingCalls()) {
            boolean overload = !tokens.isEmpty();
            t = new InviteTxn(txnKey, m, peer, null, wire.newTag(), c.owner());
            txns.put(txnKey, t);
            if (overload) {
                wire.sendFinal(t, 503, "Service Unavailable", List.of("Retry-After: " + cfg.retryAfterSeconds()));
                refused("overload");
            } else {
                wire.sendFinal(t, 480, "Temporarily Unavailable", List.of(Responses.REASON + ": " + NO_TOKEN));
                refused("no-device-token");
                Instant now = cfg.clock().instant();
                notices.recordMissed(c.selector(), new MissedCall(m.callId(), CallGroup.callerName(m), CallGroup.callerUri(m), now, now, "no-device-token"),
                        null);
            }
            return;
        }
        g = startGroup(c, m, peer, txnKey, wire.newTag().toLowerCase(Locale.ROOT));
        pushAll(g, tokens);
    }

    /** A new call: its group, its first fork, the first 180 and T1. */
    private CallGroup startGroup(Directory.Callee c, SipMessage m, Peer peer, String txnKey, String pairingId) {
        String key = c.selector() + "|" + m.callId();
        CallGroup g = new CallGroup(key, c.selector(), m.callId(), pairingId, c.record(),
                c.owner(), cfg.clock().instant(), CallGroup.callerName(m), CallGroup.callerUri(m));
        groups.put(key, g);
        byPairing.put(g.pairingId, g);
        counters.pending.incrementAndGet();
        counters.accepted.increment();
        InviteTxn t = new InviteTxn(txnKey, m, peer, g, wire.newTag(), c.owner());
        txns.put(txnKey, t);
        g.forks.add(t);
        wire.provisional(t, ALERTING);
        g.timer = g.owner.schedule(() -> expire(g, false), cfg.calls().notAnsweredMaxAge().toMillis());
        listener.callAccepted(g.selector);
        return g;
    }

    /**
     * A call another process pushed and now hands over (the fork gate checked where it came
     * from): waits here for the app like a pushed call, under the pushing process's pairing id,
     * without a push of its own. Its missed-call push, if it ends unanswered, goes out from here.
     */
    void acceptHandedOver(Directory.Callee c, SipMessage m, Peer peer, String pairingId) {
        if (known(c, m) || byPairing.containsKey(pairingId)) {
            onInvite(c, m, peer);
            return;
        }
        counters.invites.increment();
        CallGroup g = startGroup(c, m, peer, TxnKeys.of(m), pairingId);
        g.push = CallGroup.Push.ACCEPTED;
        wire.provisional(g.forks.get(0), PUSH_SENT);
        try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.call(c.selector(), m.callId())) {
            LOG.info("Incoming call {} for selector {} handed over by the process that pushed it; waiting for the app",
                    m.callId(), c.selector());
        }
    }

    /** A call handed over to the instance's new holder ends here without a missed-call record or push. */
    void endHandedOver(CallGroup g) {
        g.phase = CallGroup.Phase.ENDED;
        forget(g);
        counters.outcome("handed-over");
        listener.callEnded(g.selector, "handed-over");
    }

    CallForwarder forwarder() {
        return forwarder;
    }

    /** True when {@code m} belongs to a call this process already answers (a retransmission, or another fork of it). */
    boolean known(Directory.Callee c, SipMessage m) {
        return txns.containsKey(TxnKeys.of(m)) || groups.containsKey(c.selector() + "|" + m.callId());
    }

    /**
     * The {@link ForkGate} said another process pushes this call: the branch gets 480 at once,
     * without a push and without a missed-call record (the pushing process keeps those), and is
     * kept as a transaction so that a retransmitted INVITE gets the same 480 and a CANCEL a 200.
     */
    void decline(Directory.Callee c, SipMessage m, Peer peer, String reason) {
        if (known(c, m)) {
            onInvite(c, m, peer);
            return;
        }
        InviteTxn t = new InviteTxn(TxnKeys.of(m), m, peer, null, wire.newTag(), c.owner());
        txns.put(t.key, t);
        String text = reason.replace('"', '\'').replace('\\', '/');
        wire.sendFinal(t, 480, "Temporarily Unavailable", List.of(Responses.REASON + ": " + PUSHED_ELSEWHERE,
                "Reason: SIP;cause=480;text=\"" + text + "\""));
        try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.call(c.selector(), m.callId())) {
            LOG.info("Incoming call {} for selector {}: not pushed here ({})", m.callId(), c.selector(), reason);
        }
        refused("pushed-by-another-process");
    }

    private void joinFork(CallGroup g, String txnKey, SipMessage m, Peer peer) {
        InviteTxn t = new InviteTxn(txnKey, m, peer, g, wire.newTag(), g.owner);
        txns.put(txnKey, t);
        g.forks.add(t);
        if (g.phase == CallGroup.Phase.TAKEN_OVER) {
            wire.sendFinal(t, 480, "Temporarily Unavailable", List.of(Responses.REASON + ": " + TAKEN_OVER));
            return;
        }
        wire.provisional(t, ALERTING);
        if (g.push == CallGroup.Push.ACCEPTED) {
            wire.provisional(t, PUSH_SENT);
        }
        if (g.phase == CallGroup.Phase.PROGRESS) {
            wire.provisional(t, PROGRESS);
        }
    }

    private void pushAll(CallGroup g, List<DeviceToken> tokens) {
        Instant now = cfg.clock().instant();
        Instant deadline = now.plus(cfg.calls().notAnsweredMaxAge());
        g.push = CallGroup.Push.SENT;
        g.pushesOutstanding = tokens.size();
        for (DeviceToken token : tokens) {
            PushRequest.Builder b = PushRequest.builder(g.selector, token, Verb.INCOMING_CALL, now).callId(g.callId)
                    .pairingId(g.pairingId).callerUri(g.callerUri).deadline(deadline);
            if (!g.callerName.isEmpty()) {
                b.callerName(g.callerName);
            }
            push.push(b.build()).whenComplete((o, e) -> g.owner.execute(() -> pushDone(g, token, o, e)));
        }
    }

    private void pushDone(CallGroup g, DeviceToken token, PushOutcome o, Throwable e) {
        g.pushesOutstanding--;
        if (o != null && o.accepted()) {
            boolean first = g.push != CallGroup.Push.ACCEPTED;
            g.push = CallGroup.Push.ACCEPTED;
            if (first && g.phase != CallGroup.Phase.ENDED) {
                for (InviteTxn t : g.live()) {
                    wire.provisional(t, PUSH_SENT);
                }
            }
            return;
        }
        LOG.debug("Incoming-call push to {} for {} call {} not accepted: {}", token.shortForm(), g.selector, g.callId,
                o != null ? o : e);
        if (g.pushesOutstanding == 0 && g.push != CallGroup.Push.ACCEPTED && g.phase == CallGroup.Phase.RINGING) {
            end(g, 480, "Temporarily Unavailable", PUSH_FAILED, "push-failed", Verb.MISSED_CALL);
        }
    }

    private void expire(CallGroup g, boolean afterProgress) {
        g.timer = null;
        if (!g.waiting()) {
            return;
        }
        if (afterProgress) {
            end(g, 480, "Temporarily Unavailable", NO_ANSWER, "no-answer-from-device", Verb.MISSED_CALL);
        } else {
            RejectWith r = cfg.calls().onNoResponseFromDevice();
            end(g, r.code(), r.phrase(), NO_RESPONSE, "no-response-from-device", Verb.MISSED_CALL);
        }
    }

    /** The device signalled progress: 180 Device-Making-Progress, T1 → T2. Only the first counts. */
    boolean progress(CallGroup g) {
        if (g.phase != CallGroup.Phase.RINGING) {
            return false;
        }
        g.phase = CallGroup.Phase.PROGRESS;
        g.cancelTimer();
        g.timer = g.owner.schedule(() -> expire(g, true), cfg.calls().progressMaxAge().toMillis());
        for (InviteTxn t : g.live()) {
            wire.provisional(t, PROGRESS);
        }
        return true;
    }

    /** The app leg takes the oldest live fork; the other forks are refused. Null if none is left. */
    InviteTxn takeOver(CallGroup g) {
        if (!g.waiting()) {
            return null;
        }
        List<InviteTxn> live = g.live();
        if (live.isEmpty()) {
            return null;
        }
        g.phase = CallGroup.Phase.TAKEN_OVER;
        g.cancelTimer();
        InviteTxn chosen = live.get(0);
        chosen.takenOver = true;
        // T2 guards the take-over too: an app leg that never answers must not hold the call forever
        g.timer = g.owner.schedule(() -> abandoned(g, chosen), cfg.calls().progressMaxAge().toMillis());
        for (InviteTxn t : live.subList(1, live.size())) {
            wire.sendFinal(t, 480, "Temporarily Unavailable", List.of(Responses.REASON + ": " + TAKEN_OVER));
        }
        return chosen;
    }

    private void abandoned(CallGroup g, InviteTxn t) {
        g.timer = null;
        if (g.phase == CallGroup.Phase.ENDED || t.state != InviteTxn.State.PROCEEDING) {
            return;
        }
        t.takenOver = false;
        end(g, 480, "Temporarily Unavailable", NO_ANSWER, "no-answer-from-device", Verb.MISSED_CALL);
        if (t.onCancel != null) {
            t.onCancel.accept(List.of());
        }
    }

    /** A response from the app leg on a taken-over fork. */
    boolean appResponse(InviteTxn t, int code, String phrase, List<String> headers, String contentType, String body) {
        if (t.state != InviteTxn.State.PROCEEDING) {
            return false;
        }
        byte[] bytes = responses.build(t.invite, code, phrase, t.toTag, t.peer, headers, contentType, body);
        if (code < 200) {
            t.lastResponse = bytes;
            t.peer.send(bytes);
            return true;
        }
        wire.sendFinalBytes(t, code, bytes);
        CallGroup g = t.group;
        if (g.phase != CallGroup.Phase.ENDED) {
            g.phase = CallGroup.Phase.ENDED;
            forget(g);
            String outcome = code < 300 ? "answered" : "declined";
            if (code < 300) {
                counters.answered.increment();
            }
            counters.outcome(outcome);
            listener.callEnded(g.selector, outcome);
        }
        return true;
    }

    void onCancel(SipMessage cancel, Peer peer) {
        InviteTxn t = txns.get(TxnKeys.of(cancel));
        if (t == null) {
            peer.send(responses.build(cancel, 481, "Call/Transaction Does Not Exist", wire.newTag(), peer, List.of()));
            return;
        }
        peer.send(responses.build(cancel, 200, "OK", t.toTag, peer, List.of()));
        if (t.state != InviteTxn.State.PROCEEDING) {
            return;
        }
        if (t.forwarded != null) {
            forwarder.cancel(t.forwarded, cancel); // the new holder answers the INVITE 487
            return;
        }
        wire.sendFinal(t, 487, "Request Terminated", List.of());
        if (t.takenOver && t.onCancel != null) {
            t.onCancel.accept(cancel.headers("reason"));
        }
        CallGroup g = t.group;
        if (g != null && g.phase != CallGroup.Phase.ENDED && g.live().isEmpty()) {
            boolean elsewhere = cancel.headers("reason").stream().anyMatch(Responses::answeredElsewhere);
            end(g, 0, null, null, elsewhere ? "answered-elsewhere" : "cancelled",
                    elsewhere ? Verb.ANSWERED_ELSEWHERE : Verb.MISSED_CALL);
        }
    }

    /** An ACK for one of our final non-2xx responses; false when it matches no transaction. */
    boolean onAck(SipMessage ack) {
        return wire.onAck(ack);
    }

    /** Ends a call: the final response to every live fork, the outcome, the record and the notice push. */
    private void end(CallGroup g, int code, String phrase, String xReason, String outcome, Verb notice) {
        g.phase = CallGroup.Phase.ENDED;
        forget(g);
        if (code > 0) {
            for (InviteTxn t : g.live()) {
                if (!t.takenOver) {
                    wire.sendFinal(t, code, phrase, List.of(Responses.REASON + ": " + xReason));
                }
            }
        }
        counters.outcome(outcome);
        listener.callEnded(g.selector, outcome);
        if (notice == Verb.ANSWERED_ELSEWHERE) {
            counters.answeredElsewhere.increment();
            if (g.push != CallGroup.Push.NONE) {
                notices.push(g, notice, OptionalInt.empty());
            }
            return;
        }
        counters.missed.increment();
        MissedCall mc = new MissedCall(g.callId, g.callerName, g.callerUri, g.arrived, cfg.clock().instant(), outcome);
        notices.recordMissed(g.selector, mc, g.push != CallGroup.Push.NONE ? g : null);
    }

    private void forget(CallGroup g) {
        g.cancelTimer();
        groups.remove(g.key, g);
        byPairing.remove(g.pairingId, g);
        counters.pending.decrementAndGet();
    }

    private void refused(String reason) {
        counters.outcome(reason);
        listener.rejected(reason);
    }

    String contact(InviteTxn t) {
        return responses.contact(t.invite, t.peer);
    }
}
