package org.opensipis.sip.relay;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.opensipis.sip.app.AppBinding;
import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.call.PendingCall;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.Owners;
import org.opensipis.sip.transport.Flow;
import org.opensipis.sip.transport.SipTimers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a pending incoming call to the woken app (docs/app-protocol.md section 4): on progress
 * it takes the call over from {@link IncomingRequests}, INVITEs the app over its flow, and relays
 * 1xx/2xx/final responses, ACK, BYE either way, CANCEL, and in-dialog re-INVITE, UPDATE, INFO, REFER, NOTIFY
 * and MESSAGE either way. The composition root calls
 * {@link #progress} and {@link #message} from its {@code AppPresence}; the constructor installs
 * the in-dialog handler of {@link IncomingRequests}. Thread-safe: see the package documentation.
 */
public final class CallRelay {

    private static final Logger LOG = LoggerFactory.getLogger(CallRelay.class);
    /** The relay's transactions and its 2xx retransmission run on RFC 3261's default timers. */
    static final SipTimers TIMERS = SipTimers.RFC_3261;

    private final Function<String, Optional<AppBinding>> bindings;
    private final Owners owners;
    private final Random random;
    private final String domain;
    private final Map<String, RelayCall> byAppCallId = new ConcurrentHashMap<>();
    /**
     * By provider-leg dialog: Call-ID and our To-tag. Not the Call-ID alone: a proxy forking one
     * call to several devices of the user (several instances here) gives every fork the same Call-ID.
     */
    private final Map<String, RelayCall> byUpstreamDialog = new ConcurrentHashMap<>();
    /** Our requests in provider-leg dialogs (BYE, the app's re-INVITE, REFER, ...). */
    private final UpstreamRequests upstream;

    /**
     * @param bindings the app leg's bindings by selector ({@code AppLegServer::bindingOf}), any thread
     * @param owner    where every relayed call's state lives (tests: one owner for all)
     * @param random   tags, branches and Call-IDs (a SecureRandom in production)
     * @param domain   the host part of the app's AoR in the To of our INVITE ({@code Server[Realm]})
     */
    public CallRelay(Function<String, Optional<AppBinding>> bindings, Owner owner, Random random, String domain) {
        this(bindings, Owners.single(owner), random, domain);
    }

    /**
     * A relay whose calls each live on the owner of their selector (the registration engine's
     * owners, which hold the rest of the instance's state).
     */
    public CallRelay(Function<String, Optional<AppBinding>> bindings, Owners owners, Random random, String domain) {
        this.bindings = bindings;
        this.owners = owners;
        this.random = random;
        this.domain = domain;
        this.upstream = new UpstreamRequests(owners, this::branch);
    }

    /** The app leg's open binding of {@code selector}, if any. Any thread. */
    Optional<AppBinding> openBinding(String selector) {
        return bindings.apply(selector).filter(x -> x.flow().isOpen());
    }

    /** Starts relaying a taken-over call to the app, on the selector's owner. */
    void startOnOwner(String selector, PendingCall pc, AppBinding binding) {
        owners.of(selector).execute(() -> start(pc, binding));
    }

    /**
     * A message from the app on its flow (a response to our requests, or an in-dialog request).
     * True when it belongs to a relayed call. Any thread.
     */
    public boolean message(String selector, AppFlow flow, SipMessage m) {
        RelayCall c = byAppCallId.get(m.header("call-id").orElse(""));
        if (c == null || !c.selector.equalsIgnoreCase(selector)) {
            return false; // not ours, or another app's call: a flow only speaks for its own selector
        }
        ownerOf(c).execute(() -> {
            try {
                if (m.isResponse()) {
                    AppSide.response(this, c, m);
                } else {
                    AppSide.request(this, c, flow, m);
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot relay {} of {}: {}", m, c, e.toString());
            }
        });
        return true;
    }

    /**
     * A response on the provider side that matched no registration: when it answers one of our
     * requests in a provider-leg dialog, it is handled here (the composition root wires this as
     * the registration engine's response handler). I/O threads; never blocks.
     */
    public boolean upstreamResponse(SipMessage r, Flow flow) {
        return upstream.response(r);
    }

    /** How many calls are being relayed (app leg not yet forgotten). */
    public int active() {
        return byAppCallId.size();
    }

    private void start(PendingCall pc, AppBinding binding) {
        SipMessage up = pc.invite();
        String from = up.header("from").orElse("");
        String uri = HeaderParams.uri(from);
        int lt = from.indexOf('<');
        String display = lt > 0 ? from.substring(0, lt).trim() : "";
        String callerFrom = (display.isEmpty() ? "" : display + " ") + "<" + uri + ">";
        String aor = "sip:" + pc.selector().replace(":", "%3A") + "@" + domain;
        RelayCall c = new RelayCall(pc, binding.flow(), binding.contact(), aor, callerFrom,
                hex(16) + "@sipis", hex(8), branch());
        check(c, "start");
        byAppCallId.put(c.appCallId, c);
        byUpstreamDialog.put(c.upstreamDialog, c);
        pc.onCancel(reasons -> ownerOf(c).execute(() -> upstreamCancelled(c, reasons)));
        c.flow.onClose(() -> ownerOf(c).execute(() -> appFlowLost(c)));
        try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.call(c.selector, c.upstreamCallId)) {
            LOG.info("Relaying call {} of {} to the app over {}", c.upstreamCallId, c.selector, c.flow);
        }
        c.flow.send(RelayMessages.inviteToApp(c, up));
    }

    /**
     * The provider leg ended before the app answered (CANCEL, or T2): CANCEL the app's INVITE,
     * passing on the caller's Reason (RFC 3326) so an app can tell "answered elsewhere" from "missed".
     */
    private void upstreamCancelled(RelayCall c, List<String> reasons) {
        check(c, "upstreamCancelled");
        if (c.state == RelayCall.State.INVITING) {
            c.state = RelayCall.State.CANCELLING;
            byUpstreamDialog.remove(c.upstreamDialog, c);
            c.flow.send(RelayMessages.cancelToApp(c, reasons));
        }
    }

    /**
     * The app's flow closed under a relayed call: nothing more can reach the app (RFC 5626: it
     * will come back on a new flow, but this dialog is bound to the old one). Unanswered: 480
     * upstream with {@code X-Sipis-Reason: App-Flow-Lost}; answered: BYE upstream. Either way the
     * caller is not left waiting for T2 or holding a dead call.
     */
    private void appFlowLost(RelayCall c) {
        check(c, "appFlowLost");
        switch (c.state) {
            case INVITING:
                LOG.info("App flow {} closed before the app answered {}", c.flow, c);
                c.pending.respond(480, "Temporarily Unavailable", List.of("X-Sipis-Reason: App-Flow-Lost"), null, null);
                ended(c);
                return;
            case ANSWERED:
            case CONFIRMED:
                LOG.info("App flow {} closed during {}: hanging up the caller", c.flow, c);
                appBye(c);
                return;
            default:
                // CANCELLING or ENDED: the provider leg is already over
        }
    }

    /**
     * Requests inside the provider-leg dialog (ACK for our 2xx, BYE, re-INVITE, ...), on I/O or
     * owner threads: the in-dialog handler given to {@code IncomingRequests} at construction.
     */
    public void fromUpstream(SipMessage m, Flow flow) {
        RelayCall c = byUpstreamDialog.get(RelayCall.dialogKey(m.header("call-id").orElse(""),
                HeaderParams.param(m.header("to").orElse(""), "tag")));
        if (c == null) {
            if (!"ACK".equals(m.method())) {
                flow.send(bytes(RelayMessages.response(m, 481, "Call/Transaction Does Not Exist", null)));
            }
            return;
        }
        ownerOf(c).execute(() -> {
            try {
                upstreamRequest(c, m, flow);
            } catch (RuntimeException e) {
                LOG.warn("Cannot relay {} of {}: {}", m, c, e.toString());
            }
        });
    }

    private void upstreamRequest(RelayCall c, SipMessage m, Flow flow) {
        check(c, "upstreamRequest");
        switch (m.method()) {
            case "ACK":
                if (c.state == RelayCall.State.ANSWERED) {
                    c.state = RelayCall.State.CONFIRMED;
                    c.stopAnswerTimer();
                }
                return;
            case "BYE":
                flow.send(bytes(RelayMessages.response(m, 200, "OK", null)));
                if (c.state == RelayCall.State.ANSWERED || c.state == RelayCall.State.CONFIRMED) {
                    c.stopAnswerTimer();
                    c.state = RelayCall.State.ENDED;
                    byUpstreamDialog.remove(c.upstreamDialog, c);
                    c.appCseq++;
                    c.flow.send(RelayMessages.byeToApp(c, branch(), c.appCseq));
                    forgetLater(c);
                }
                return;
            default:
                if (!RelayMessages.relayed(m.method())) {
                    // PRACK, SUBSCRIBE, ...: not relayed (docs/app-protocol.md section 5.7)
                    flow.send(bytes(RelayMessages.response(m, 501, "Not Implemented", null,
                            "Allow: " + RelayMessages.ALLOW)));
                } else if (c.state == RelayCall.State.CONFIRMED || c.state == RelayCall.State.ANSWERED) {
                    if (RelayMessages.targetRefresh(m.method())) {
                        m.header("contact").map(HeaderParams::uri).ifPresent(t -> c.upstreamTarget = t);
                    }
                    c.appCseq++;
                    c.relayed.put(c.appCseq, new RelayCall.Relayed(m, flow));
                    c.flow.send(RelayMessages.inDialogToApp(c, m, branch(), c.appCseq));
                } else {
                    flow.send(bytes(RelayMessages.response(m, 481, "Call/Transaction Does Not Exist", null)));
                }
        }
    }

    // ---- used by AppSide, on the owner ----

    /** The app answered: ACK it at once, answer upstream, retransmit the 2xx until the upstream ACK. */
    void answered(RelayCall c, SipMessage ok) {
        check(c, "answered");
        c.appToTag = HeaderParams.param(ok.header("to").orElse(""), "tag");
        ok.header("contact").ifPresent(ct -> c.appTarget = HeaderParams.uri(ct));
        c.flow.send(RelayMessages.ackToApp(c, ok, branch(), c.appTarget, 1));
        if (c.state == RelayCall.State.CANCELLING) {
            // the caller gave up while the app answered: end the app's dialog
            c.state = RelayCall.State.ENDED;
            c.appCseq++;
            c.flow.send(RelayMessages.byeToApp(c, branch(), c.appCseq));
            forgetLater(c);
            return;
        }
        c.state = RelayCall.State.ANSWERED;
        String type = ok.header("content-type").orElse(null);
        String body = ok.body().isEmpty() ? null : ok.body();
        c.pending.respond(ok.status(), ok.reason(), List.of(), body == null ? null : type, body)
                .thenAccept(sent -> ownerOf(c).execute(() -> {
                    if (!sent) {
                        hangUpApp(c);
                    } else if (c.state == RelayCall.State.ANSWERED) {
                        c.answerRetransmitMillis = TIMERS.t1Millis();
                        c.answerTimer = ownerOf(c).schedule(() -> retransmitAnswer(c), c.answerRetransmitMillis);
                    }
                }));
    }

    /** RFC 3261 13.3.1.4: the 2xx again at T1, 2·T1, ... up to T2, until the ACK or 64·T1. */
    private void retransmitAnswer(RelayCall c) {
        check(c, "retransmitAnswer");
        c.answerTimer = null;
        if (c.state != RelayCall.State.ANSWERED) {
            return;
        }
        c.answerWaitedMillis += c.answerRetransmitMillis;
        if (c.answerWaitedMillis >= TIMERS.transactionTimeoutMillis()) {
            LOG.info("No ACK for the answer of {}: hanging up", c);
            hangUpApp(c);
            return;
        }
        c.pending.resendAnswer();
        c.answerRetransmitMillis = TIMERS.nextRetransmitMillis(c.answerRetransmitMillis);
        c.answerTimer = ownerOf(c).schedule(() -> retransmitAnswer(c), c.answerRetransmitMillis);
    }

    /** The app's response to a caller's in-dialog request (re-INVITE, REFER, ...): back to the caller; a 2xx to INVITE is ACKed here. */
    void relayedAnswer(RelayCall c, SipMessage r, long cseq) {
        check(c, "relayedAnswer");
        RelayCall.Relayed q = c.relayed.get(cseq);
        if (q == null || r.status() == 100) {
            return;
        }
        boolean invite = "INVITE".equals(q.request().method());
        if (r.status() >= 200) {
            c.relayed.remove(cseq);
            if (invite && r.status() < 300) {
                c.flow.send(RelayMessages.ackToApp(c, r, branch(), c.appTarget, cseq));
            }
        }
        if (invite && r.status() >= 300) {
            c.flow.send(RelayMessages.ackToApp(c, r, r.topBranch(), c.appTarget, cseq));
        }
        q.flow().send(bytes(RelayMessages.relayedResponse(q.request(), r, c.pending.contact())));
    }

    /** The app hung up (or its flow is gone): BYE upstream, forget the call. */
    void appBye(RelayCall c) {
        check(c, "appBye");
        if (c.state != RelayCall.State.ANSWERED && c.state != RelayCall.State.CONFIRMED) {
            return;
        }
        c.stopAnswerTimer();
        c.state = RelayCall.State.ENDED;
        byUpstreamDialog.remove(c.upstreamDialog, c);
        upstream.send(c, "BYE", null, null);
        forgetLater(c);
    }

    /**
     * An in-dialog request from the app (re-INVITE, UPDATE, INFO, REFER, NOTIFY, MESSAGE): sent to the caller
     * inside the provider-leg dialog; the caller's answer goes back to the app
     * ({@link #onUpstreamResponse}). Other methods get 501.
     */
    void appRequest(RelayCall c, AppFlow flow, SipMessage m) {
        check(c, "appRequest");
        String method = m.method();
        if (!RelayMessages.relayed(method)) {
            flow.send(RelayMessages.response(m, 501, "Not Implemented", null, "Allow: " + RelayMessages.ALLOW));
            return;
        }
        if ((c.state != RelayCall.State.CONFIRMED && c.state != RelayCall.State.ANSWERED) || c.upstreamTarget == null) {
            flow.send(RelayMessages.response(m, 481, "Call/Transaction Does Not Exist", null));
            return;
        }
        if (RelayMessages.targetRefresh(method)) {
            m.header("contact").map(HeaderParams::uri).ifPresent(t -> c.appTarget = t); // target refresh
        }
        upstream.send(c, method, m, flow);
    }

    /** Ends the app's dialog (the provider leg is gone). */
    void hangUpApp(RelayCall c) {
        check(c, "hangUpApp");
        c.stopAnswerTimer();
        if (c.state != RelayCall.State.ENDED) {
            c.state = RelayCall.State.ENDED;
            byUpstreamDialog.remove(c.upstreamDialog, c);
            c.appCseq++;
            c.flow.send(RelayMessages.byeToApp(c, branch(), c.appCseq));
        }
        forgetLater(c);
    }

    /** A final non-2xx from the app: nothing more to relay on either leg. */
    void ended(RelayCall c) {
        check(c, "ended");
        c.stopAnswerTimer();
        c.state = RelayCall.State.ENDED;
        byUpstreamDialog.remove(c.upstreamDialog, c);
        forgetLater(c);
    }

    /** Keeps the app-leg entry for retransmissions and the answer to our BYE, then drops it (64·T1). */
    private void forgetLater(RelayCall c) {
        ownerOf(c).schedule(() -> byAppCallId.remove(c.appCallId, c), TIMERS.transactionTimeoutMillis());
    }

    /** The owner of a call's state: the owner of its selector. */
    private Owner ownerOf(RelayCall c) {
        return owners.of(c.selector);
    }

    /** For owner-only methods: throws unless on the call's owner. */
    private void check(RelayCall c, String method) {
        Owners.check(ownerOf(c), "CallRelay." + method, c.selector);
    }

    String branch() {
        return "z9hG4bK" + hex(12);
    }

    private String hex(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
