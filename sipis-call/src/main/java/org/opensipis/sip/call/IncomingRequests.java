package org.opensipis.sip.call;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.opensipis.core.call.CallLog;
import org.opensipis.core.push.PushService;
import org.opensipis.sip.incoming.text.TextMessages;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.transport.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests the provider's proxy sends to our registered Contacts (docs/incoming-calls.md):
 * INVITE, CANCEL and ACK drive the per-call state machine, MESSAGE goes to {@link TextMessages},
 * OPTIONS is answered 200. The public surface the server wires: the constructor,
 * {@link #onRequest} (the transport hook), {@link #deviceMakingProgress}, {@link #pendingPairingIds} and
 * {@link #takeOver} (the app leg), {@link #stats}. Thread-safe: {@code onRequest}
 * runs on I/O threads and hops onto the instance's owner for everything stateful.
 */
public final class IncomingRequests {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingRequests.class);

    private final CallConfig cfg;
    private final Directory directory;
    private final Responses responses;
    private final Counters counters = new Counters();
    private final IncomingListener listener;
    private final CallMachine machine;
    /** MESSAGEs: their server transactions, the fork gate's verdict, the filters and the push. */
    private final MessageRequests messages;
    private final Map<String, InviteTxn> txns = new ConcurrentHashMap<>();
    private final Map<String, CallGroup> groups = new ConcurrentHashMap<>();
    private final Map<String, CallGroup> byPairing = new ConcurrentHashMap<>();
    private final org.opensipis.core.log.RateLimitedLog malformedLog =
            new org.opensipis.core.log.RateLimitedLog(LOG, 10, java.util.concurrent.TimeUnit.SECONDS);
    /** Who pushes a call forked to this process and another one (leases); every call without leases. */
    private volatile ForkGate forkGate = ForkGate.PUSH_ALL;
    /** INVITE transactions waiting for the fork gate's verdict: their retransmissions wait too. */
    private final java.util.Set<String> gating = ConcurrentHashMap.newKeySet();
    /** Requests inside a dialog; null: answered 481 (no relay). */
    private final BiConsumer<SipMessage, Flow> inDialog;

    /** Without a relay: requests inside a dialog get 481. */
    public IncomingRequests(CallConfig cfg, Directory directory, PushService push, CallLog log,
                            IncomingListener listener) {
        this(cfg, directory, push, log, listener, null);
    }

    /**
     * @param inDialog where requests inside a dialog go (ACK for a 2xx, BYE, re-INVITE, in-dialog
     *                 MESSAGE), on I/O or owner threads: the call relay's {@code fromUpstream}
     */
    public IncomingRequests(CallConfig cfg, Directory directory, PushService push, CallLog log,
                            IncomingListener listener, BiConsumer<SipMessage, Flow> inDialog) {
        this.cfg = cfg;
        this.inDialog = inDialog;
        this.directory = directory;
        this.listener = listener;
        this.responses = new Responses(cfg.userAgent(), cfg.privateAddress());
        this.machine = new CallMachine(cfg, responses, push, log, listener, counters, txns, groups, byPairing);
        this.messages = new MessageRequests(cfg, new TextMessages(cfg.textFilters(), push, log, cfg.clock()), responses,
                counters, listener, this::tag);
    }

    /** The transport hook: one request from the proxy, on an I/O thread. Never throws. */
    public void onRequest(SipMessage m, Flow flow) {
        receive(m, new FlowPeer(flow));
    }

    void receive(SipMessage m, Peer peer) {
        try {
            dispatch(m, peer);
        } catch (SipParseException | IllegalArgumentException e) {
            malformedLog.warn("Refusing malformed {} from {}: {}", m, peer, e.getMessage());
            if (!"ACK".equals(m.method())) {
                peer.send(responses.build(m, 400, "Bad Request", tag(), peer, List.of()));
            }
        }
    }

    private void dispatch(SipMessage m, Peer peer) {
        String method = m.method();
        if (!"ACK".equals(method) && refusedByUas(m, peer)) {
            return;
        }
        if ("OPTIONS".equals(method)) {
            peer.send(responses.build(m, 200, "OK", tag(), peer, List.of("Allow: " + Responses.ALLOW,
                    "Accept: application/sdp, text/plain")));
            return;
        }
        m.cseq(); // a request we answer needs a numeric CSeq, a From and a To
        if (m.header("from").isEmpty() || m.header("to").isEmpty()) {
            throw new SipParseException("missing From or To");
        }
        String user = HeaderParams.uriUser(m.requestUri());
        Optional<Directory.Callee> found = directory.find(user);
        if (found.isEmpty() && machine.forwarder().handedOverTxn(m, peer)) {
            return; // a call this process handed over after the instance left it: its transaction is still here
        }
        boolean inDialogRequest = HeaderParams.param(m.header("to").orElse(""), "tag") != null;
        switch (method) {
            case "INVITE":
                if (inDialogRequest) {
                    toDialog(m, peer);
                } else if (found.isEmpty()) {
                    unknown(m, peer);
                } else {
                    Directory.Callee c = found.get();
                    onOwner(c.owner(), m, peer, () -> invite(c, m, peer));
                }
                return;
            case "ACK":
                if (found.isPresent()) {
                    found.get().owner().execute(() -> {
                        if (!machine.onAck(m)) {
                            toDialog(m, peer);
                        }
                    });
                } else {
                    toDialog(m, peer);
                }
                return;
            case "CANCEL":
                if (found.isEmpty()) {
                    peer.send(responses.build(m, 481, "Call/Transaction Does Not Exist", tag(), peer, List.of()));
                } else {
                    onOwner(found.get().owner(), m, peer, () -> machine.onCancel(m, peer));
                }
                return;
            case "MESSAGE":
                if (inDialogRequest && inDialog != null) {
                    toDialog(m, peer);
                } else if (found.isEmpty() || !forkGate.takesMessages(found.get().selector())) {
                    unknown(m, peer);
                } else {
                    Directory.Callee c = found.get();
                    onOwner(c.owner(), m, peer, () -> messages.handle(c, m, peer, forkGate));
                }
                return;
            default:
                if (inDialogRequest) {
                    toDialog(m, peer);
                } else {
                    peer.send(responses.build(m, 405, "Method Not Allowed", tag(), peer, List.of()));
                }
        }
    }

    /**
     * RFC 3261 8.2.2.1 and 8.2.2.3, before anything else happens (for an INVITE: before any
     * push): a Request-URI scheme other than sip/sips gets 416, a Require option tag we do not
     * support gets 420 with Unsupported (not for CANCEL). True when the request was answered so.
     */
    private boolean refusedByUas(SipMessage m, Peer peer) {
        String uri = m.requestUri();
        if (!uri.regionMatches(true, 0, "sip:", 0, 4) && !uri.regionMatches(true, 0, "sips:", 0, 5)) {
            peer.send(responses.build(m, 416, "Unsupported URI Scheme", tag(), peer, List.of()));
            return true;
        }
        if ("CANCEL".equals(m.method())) {
            return false;
        }
        List<String> unsupported = new java.util.ArrayList<>();
        for (String option : m.headers("require")) {
            if (!Responses.SUPPORTED_TAGS.contains(option.trim().toLowerCase(java.util.Locale.ROOT))) {
                unsupported.add(option.trim());
            }
        }
        if (unsupported.isEmpty()) {
            return false;
        }
        counters.outcome("unsupported-extension");
        peer.send(responses.build(m, 420, "Bad Extension", tag(), peer,
                List.of("Unsupported: " + String.join(", ", unsupported))));
        return true;
    }

    /** With leases: who pushes a call forked to two processes while an instance moves (wired once, at start). */
    public void setForkGate(ForkGate gate) {
        this.forkGate = java.util.Objects.requireNonNull(gate, "gate");
    }

    /** Told (selector, pairing id) when a call handed over by another process waits here: the app may be connected already. */
    private volatile BiConsumer<String, String> waitingCall;

    /**
     * With leases: how calls move with their instance (docs/design-rebalance.md). Wired once, at start.
     *
     * @param udp         sends a message to another process's SIP address from this process's UDP socket
     * @param sentBy      this process's SIP address as its peers know it ({@code host:port}), for the Via;
     *                    asked at each hand-over (the socket is bound after the wiring)
     * @param waitingCall told (selector, pairing id) when a handed-over call waits here, on the owner
     */
    public void wireHandOver(BiConsumer<java.net.InetSocketAddress, byte[]> udp, java.util.function.Supplier<String> sentBy,
                             BiConsumer<String, String> waitingCall) {
        machine.forwarder().wire(udp, sentBy);
        this.waitingCall = waitingCall;
    }

    /**
     * The instance left this process: each call of {@code selector} still waiting for the app
     * is handed to {@code holder}, the SIP address of the process that holds the instance now
     * (from the operator's settings, never from the wire). Any thread.
     */
    public void handOverCalls(String selector, java.net.InetSocketAddress holder) {
        for (CallGroup g : groups.values()) {
            if (g.selector.equals(selector)) {
                g.owner.execute(() -> machine.forwarder().handOver(g, holder, forkGate));
            }
        }
    }

    /** A response on the SIP endpoint: true when it answers an INVITE this process handed over. I/O threads. */
    public boolean onResponse(SipMessage r, Flow flow) {
        return machine.forwarder().response(r);
    }

    /**
     * A new INVITE on the instance's owner: a retransmission or another fork of a call already
     * here goes to the machine; otherwise the fork gate decides first whether this process
     * pushes (at once without leases; after a database claim while the instance moves).
     */
    private void invite(Directory.Callee c, SipMessage m, Peer peer) {
        if (machine.known(c, m)) {
            machine.onInvite(c, m, peer);
            return;
        }
        String txnKey = TxnKeys.of(m);
        if (!gating.add(txnKey)) {
            return; // a retransmission while the verdict is pending: the verdict answers it
        }
        java.util.concurrent.CompletableFuture<ForkGate.Verdict> verdict;
        try {
            verdict = forkGate.invite(c.selector(), TxnKeys.call(m), peer.remote()).toCompletableFuture();
        } catch (RuntimeException e) {
            LOG.warn("Fork gate failed for call {}: {}; pushing", m.callId(), e.toString());
            verdict = java.util.concurrent.CompletableFuture.completedFuture(ForkGate.Verdict.PUSH);
        }
        if (verdict.isDone() && !verdict.isCompletedExceptionally()) {
            decided(c, m, peer, txnKey, verdict.join(), null);
        } else {
            verdict.whenComplete((v, e) -> onOwner(c.owner(), m, peer, () -> decided(c, m, peer, txnKey, v, e)));
        }
    }

    private void decided(Directory.Callee c, SipMessage m, Peer peer, String txnKey, ForkGate.Verdict v, Throwable e) {
        gating.remove(txnKey);
        if (e != null || v == null) {
            LOG.warn("Fork gate failed for call {}: {}; pushing", m.callId(), e);
            machine.onInvite(c, m, peer);
        } else if (v.push()) {
            machine.onInvite(c, m, peer);
        } else if (v.isHandOver()) {
            // the gate checked the sender against the pushing process's address: its pairing id can be trusted
            String pairingId = m.header(CallForwarder.PAIRING.toLowerCase(java.util.Locale.ROOT))
                    .filter(p -> p.matches("[0-9A-Za-z-]{1,64}")).orElseGet(this::tag);
            machine.acceptHandedOver(c, m, peer, pairingId);
            BiConsumer<String, String> w = waitingCall;
            if (w != null) {
                w.accept(c.selector(), pairingId);
            }
        } else {
            machine.decline(c, m, peer, v.reason());
        }
    }

    /** Runs request work on the owner; a request that turns out malformed there gets a 400. */
    private void onOwner(Owner owner, SipMessage m, Peer peer, Runnable work) {
        owner.execute(() -> {
            try {
                work.run();
            } catch (SipParseException | IllegalArgumentException e) {
                malformedLog.warn("Refusing malformed {} from {}: {}", m, peer, e.getMessage());
                peer.send(responses.build(m, 400, "Bad Request", tag(), peer, List.of()));
            }
        });
    }

    private void unknown(SipMessage m, Peer peer) {
        counters.outcome("unknown-instance");
        listener.rejected("unknown-instance");
        peer.send(responses.build(m, 404, "Not Found", tag(), peer, List.of()));
    }

    private void toDialog(SipMessage m, Peer peer) {
        BiConsumer<SipMessage, Flow> h = inDialog;
        Flow flow = peer instanceof FlowPeer ? ((FlowPeer) peer).flow : null;
        if (h != null && flow != null) {
            h.accept(m, flow);
        } else if (!"ACK".equals(m.method())) {
            peer.send(responses.build(m, 481, "Call/Transaction Does Not Exist", tag(), peer, List.of()));
        }
    }

    /**
     * The woken device signals it is about to answer (the app leg calls this): a 180 with
     * {@code X-Sipis-Push-Status: Device-Making-Progress} on every waiting fork, T1 cancelled and
     * T2 started. Completes with true for the first signal of a waiting call, false otherwise.
     */
    public CompletableFuture<Boolean> deviceMakingProgress(String selector, String pairingId) {
        CallGroup g = byPairing.get(pairingId);
        if (g == null || !g.selector.equals(selector)) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        g.owner.execute(() -> done.complete(machine.progress(g)));
        return done;
    }

    /**
     * The app leg takes a waiting call over: timers stop and the app leg answers it through the
     * returned {@link PendingCall}. Empty when no call with this pairing id waits (ended, or
     * already taken).
     */
    public CompletableFuture<Optional<PendingCall>> takeOver(String selector, String pairingId) {
        CallGroup g = byPairing.get(pairingId);
        if (g == null || !g.selector.equals(selector)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<PendingCall>> done = new CompletableFuture<>();
        g.owner.execute(() -> {
            InviteTxn t = machine.takeOver(g);
            done.complete(t == null ? Optional.empty() : Optional.of(new PendingCall(t, machine)));
        });
        return done;
    }

    /**
     * Pairing ids of the calls of {@code selector} still waiting and not taken over, oldest first:
     * for an app that signals progress without naming a call. A snapshot from any thread; a call
     * may end in the meantime, so {@link #takeOver} can still come back empty.
     */
    public List<String> pendingPairingIds(String selector) {
        return byPairing.values().stream()
                .filter(g -> g.selector.equals(selector) && g.waiting())
                .sorted(java.util.Comparator.comparing((CallGroup g) -> g.arrived))
                .map(g -> g.pairingId)
                .toList();
    }

    /** Totals for /stats and /metrics. */
    public IncomingStats stats() {
        return counters.snapshot();
    }

    private String tag() {
        byte[] b = new byte[16];
        cfg.random().nextBytes(b);
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    private static final class FlowPeer implements Peer {
        final Flow flow;

        FlowPeer(Flow flow) {
            this.flow = flow;
        }

        @Override
        public void send(byte[] data) {
            flow.send(data);
        }

        @Override
        public org.opensipis.core.instance.SipAccount.Transport transport() {
            return flow.transport();
        }

        @Override
        public String localHost() {
            return flow.localHost();
        }

        @Override
        public int localPort() {
            return flow.localPort();
        }

        @Override
        public java.net.InetSocketAddress remote() {
            return flow.remote();
        }

        @Override
        public String toString() {
            return flow.toString();
        }
    }
}
