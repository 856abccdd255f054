package org.opensipis.sip.registration;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.sip.digest.DigestChallenge;
import org.opensipis.sip.dns.Rfc3263Resolver;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.EventLoopOwner;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.Owners;
import org.opensipis.sip.throttle.Throttle;
import org.opensipis.sip.transport.Flow;
import org.opensipis.sip.transport.SipEndpoint;
import org.opensipis.sip.transport.SipTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every instance of this process's shard registered at its SIP registrar, politely (see
 * docs/sip.md). The public surface the server wires: {@link #create}, {@link #register},
 * {@link #setIdle}, {@link #remove}, {@link #snapshot}, {@link #stats}, {@link #selectorOfContactUser},
 * {@link #close}. Thread-safe; each instance's state lives on one owner executor chosen by the
 * hash of its selector.
 */
public final class RegistrationEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationEngine.class);

    private final EngineConfig cfg;
    private final SipEndpoint endpoint;
    private final Throttle throttle;
    private final Counters counters = new Counters();
    private final Latencies latencies = new Latencies();
    private final InstanceMachine machine;
    private final Map<String, Registration> regs = new ConcurrentHashMap<>();
    private final Map<String, Txn> txns = new ConcurrentHashMap<>();
    private final RegisterInbound inbound;
    private final List<AutoCloseable> owned;
    /** {@code cfg.owners()}, or the transport's event loops when that is empty. */
    private final Owners owners;
    private final RegistrationListener listener;
    private final EngineControl control;
    private final Unregistrations unregistrations;
    private volatile boolean closing;

    /**
     * An engine on the given parts and the process's endpoint (built in its {@link SipEndpoint.Wiring};
     * route responses to {@link #onResponse} and closed flows to {@link #onFlowClosed}). The
     * caller keeps ownership of the endpoint, owners and executors and closes the endpoint after
     * the engine.
     */
    public RegistrationEngine(EngineConfig cfg, RegistrationListener listener, SipEndpoint endpoint) {
        this(cfg, listener, endpoint, List.of());
    }

    /** As above; closing the engine closes {@code owned} too ({@link RegistrationEngines}). */
    RegistrationEngine(EngineConfig cfg, RegistrationListener listener, SipEndpoint endpoint, List<AutoCloseable> owned) {
        this.cfg = cfg;
        this.owned = owned;
        this.endpoint = endpoint;
        SipTransport transport = endpoint.transport();
        if (cfg.owners().isEmpty()) {
            List<Owner> loops = new ArrayList<>();
            endpoint.eventLoops().forEach(l -> loops.add(new EventLoopOwner(l)));
            this.owners = new Owners(loops);
        } else {
            this.owners = new Owners(cfg.owners());
        }
        this.throttle = new Throttle(cfg.throttleOwner().orElseGet(() -> new EventLoopOwner(endpoint.udpEventLoop())), cfg.clock(), cfg.registration().globalRate(),
                cfg.registration().perRegistrarRate(), cfg.registration().maxInFlight());
        Targets targets = new Targets(new Rfc3263Resolver(cfg.dns(), cfg.random()), cfg.dnsExecutor(), cfg.clock(),
                cfg.targets());
        Map<String, DigestChallenge> challenges = new ConcurrentHashMap<>();
        this.machine = new InstanceMachine(cfg, transport, throttle, counters, targets, listener, txns, challenges, latencies);
        this.inbound = new RegisterInbound(txns, regs, counters, () -> this.closing, machine);
        this.listener = listener;
        this.control = new EngineControl(this, regs, machine, throttle);
        this.unregistrations = new Unregistrations(regs, machine, listener, cfg.registration());
    }

    /**
     * How far a restored CSeq jumps ahead of the stored one. The store has the CSeq of the last
     * published state; REGISTERs sent after it (retries whose answers were lost, refreshes whose
     * state was still in the write-behind queue at a crash) may have reached the registrar, which
     * ignores a CSeq not above the one it has for the Call-ID (RFC 3261 10.3 step 7): the
     * restored registration would then answer 200 without refreshing the binding.
     */
    static final long RESTART_CSEQ_GAP = 1000;

    /**
     * Where a restored registration's CSeq continues: at least {@link #RESTART_CSEQ_GAP} past the
     * stored one, and one short of a multiple of {@link RegistrationListener#REFRESH_CSEQ_STEP}, so
     * that its first REGISTER is told to the listener even when it only refreshes a binding taken
     * over (which is published without telling it): the store then holds a CSeq of this life.
     */
    static long restartCseq(long stored) {
        long step = RegistrationListener.REFRESH_CSEQ_STEP;
        return Math.floorDiv(stored + RESTART_CSEQ_GAP, step) * step + step - 1;
    }

    /**
     * Takes an instance into the engine, or updates it. New instances continue the Call-ID and
     * CSeq of {@code previous} (from the store after a restart) or get a fresh Call-ID. An app in
     * the foreground keeps the instance Idle; otherwise it registers (through the throttle).
     */
    public void register(InstanceRecord record, Optional<InstanceState> previous) {
        ownerOf(record.selector()).execute(() -> registerOnOwner(record, previous));
    }

    /** {@link #register}, called on the selector's owner (the hand-over, after reading the foreground flag there). */
    public void registerOnOwner(InstanceRecord record, Optional<InstanceState> previous) {
        String selector = record.selector();
        Owner owner = ownerOf(selector);
        Owners.check(owner, "registerOnOwner", selector);
        if (closing) {
            return;
        }
        Registration r = regs.get(selector);
        if (r == null) {
            String callId = previous.map(InstanceState::callId).filter(c -> !c.isEmpty()).orElseGet(this::newCallId);
            long cseq = previous.filter(p -> !p.callId().isEmpty()).map(p -> restartCseq(p.cseq())).orElse(0L);
            r = new Registration(selector, owner, record, callId, cseq, machine);
            r.expires = (int) record.account().expires().orElse(cfg.registration().defaultExpires()).toSeconds();
            regs.put(selector, r);
            if (previous.isPresent() && machine.takeOver().restore(r, record, previous.get())) {
                return;
            }
        } else if (r.movingTo() != null) {
            r.movingTo(record); // still removing the binding at the old registrar: take the newest record after
            return;
        } else {
            InstanceRecord old = r.record;
            boolean accountChanged = !old.account().equals(record.account());
            if (accountChanged && !r.busy() && !r.idle() && r.registeredUntil > cfg.clock().millis()
                    && movedAway(old.account(), record.account())) {
                // remove our binding at the old AoR/registrar first, or calls to the old account would keep
                // reaching this instance until that binding expired
                Registration moving = r;
                moving.movingTo(record);
                machine.unregister(moving, () -> moved(moving));
                return;
            }
            r.record = record;
            if (accountChanged) {
                resetForNewAccount(r);
            }
        }
        continueWith(r, record);
    }

    /** The old binding is gone (or could not be removed): register the new account. On the owner. */
    private void moved(Registration r) {
        InstanceRecord next = r.movingTo();
        r.movingTo(null);
        if (next == null || r.removed()) {
            return;
        }
        r.record = next;
        resetForNewAccount(r);
        continueWith(r, next);
    }

    private void resetForNewAccount(Registration r) {
        r.expires = (int) r.record.account().expires().orElse(cfg.registration().defaultExpires()).toSeconds();
        r.targetIndex = 0;
        r.failures = 0;
        r.cancelTimer();
        r.registeredUntil = 0;
        r.state = RegistrationState.REGISTERING;
    }

    /** Another AoR or another registrar: a new REGISTER would not replace the old binding. */
    static boolean movedAway(SipAccount from, SipAccount to) {
        return !from.aor().equals(to.aor()) || !from.registrarHost().equalsIgnoreCase(to.registrarHost())
                || from.port() != to.port() || from.transport() != to.transport();
    }

    /** Goes on with a new or changed record (on the owner): Idle while the app is in front or disabled, else register. */
    void continueWith(Registration r, InstanceRecord record) {
        Owners.check(r.owner, "continueWith", r.selector);
        if (record.appForeground() || r.disabled()) {
            goIdle(r);
        } else {
            r.release(Registration.Hold.IDLE);
            if (!r.busy() && (r.timer == null || r.state != RegistrationState.REGISTERED)) {
                r.cancelTimer();
                machine.register(r);
            }
        }
    }

    /** The app is in the foreground: remove our binding and stay Idle until {@link #register} again. */
    public void setIdle(String selector) {
        // looked up on the owner, not here: a register() of the same selector queued just before
        // (an instance being adopted as its app connects) must be seen, or it would register upstream
        // while the app is in the foreground
        ownerOf(selector).execute(() -> setIdleOnOwner(selector));
    }

    /** {@link #setIdle}, called on the selector's owner. */
    public void setIdleOnOwner(String selector) {
        Owners.check(ownerOf(selector), "setIdleOnOwner", selector);
        Registration r = regs.get(selector);
        if (r != null) {
            goIdle(r);
        }
    }

    /** Removes the binding and settles Idle (on the owner). */
    void goIdle(Registration r) {
        Owners.check(r.owner, "goIdle", r.selector);
        if (r.idle()) {
            return;
        }
        r.hold(Registration.Hold.IDLE);
        if (r.movingTo() != null) {
            // the app came to the foreground while our old binding was being removed: keep the new account
            r.record = r.movingTo();
            r.movingTo(null);
        }
        machine.unregister(r, () -> machine.setState(r, RegistrationState.IDLE, r.disabled() ? EngineControl.DISABLED : ""));
    }

    /** Unregisters (through the throttle) and forgets an instance; its final state is Off. */
    public CompletableFuture<Void> remove(String selector) {
        return unregistrations.remove(selector);
    }

    /** The last published state of every instance (for /stats); cheap, lock-free. */
    public List<InstanceState> snapshot() {
        List<InstanceState> out = new ArrayList<>(regs.size());
        for (Registration r : regs.values()) {
            InstanceState s = machine.stateOf(r);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** The last published state of one instance. */
    public Optional<InstanceState> state(String selector) {
        Registration r = regs.get(selector);
        return r == null ? Optional.empty() : Optional.ofNullable(machine.stateOf(r));
    }

    /** The administrator's handles: inspect, refresh now, disable/enable, throttle load. */
    public EngineControl control() {
        return control;
    }

    /** Counters for metrics. */
    public EngineStats stats() {
        return new EngineStats(regs.size(), counters.registersSent.sum(), counters.retransmissions.sum(),
                counters.timeouts.sum(), counters.transportErrors.sum(), counters.responsesByCode(),
                throttle.queueDepth(), throttle.inFlight(), endpoint.strayResponses());
    }

    /** Bindings taken over from the store at start without a REGISTER (same Contact, still valid). */
    public long resumedBindings() {
        return counters.resumed.sum();
    }

    /** REGISTER latency quantile (request to final response) in ms since start or the last reset. */
    public long latencyMillis(double quantile) {
        return latencies.quantileMillis(quantile);
    }

    /** Clears the latency histogram (benchmarks use it between phases). */
    public void resetLatencies() {
        latencies.reset();
    }

    /**
     * The selector an incoming request's Request-URI user (our Contact user, {@code s<SELECTOR>}
     * with ':' written as '-') belongs to, if this engine holds it. O(1).
     */
    public Optional<String> selectorOfContactUser(String contactUser) {
        String s = RequestBuilder.selectorOf(contactUser);
        return s != null && regs.containsKey(s) ? Optional.of(s) : Optional.empty();
    }

    /** Whether the SIP socket REGISTERs leave from (and requests arrive on) is bound (readiness). */
    public boolean socketsBound() {
        return !closing && endpoint.isBound();
    }

    /** The local UDP port REGISTERs leave from. */
    public int udpPort() {
        return endpoint.udpPort();
    }

    /**
     * Stops. By default the bindings stay at the registrars: a restart (or an upgrade) takes them
     * over with the same Contact and Call-ID, so users stay reachable and nothing floods the
     * registrar. With {@code Registration[UnregisterOnStop]} (decommissioning), every instance
     * that holds a binding is unregistered through the throttle, waiting at most
     * {@code Registration[ShutdownTimeout]}. Then closes sockets and owned executors.
     */
    @Override
    public void close() {
        closing = true;
        if (cfg.registration().unregisterOnStop()) {
            unregistrations.unregisterAll();
        } else {
            LOG.info("Stopping: {} instance(s) keep their bindings for the next start to refresh "
                    + "(Registration[UnregisterOnStop] is No)", regs.size());
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", c, e);
            }
        }
    }


    // ---- The endpoint's routes and the call side's lookups ----

    /**
     * A response from the endpoint (I/O thread): true when it answers one of our REGISTERs
     * (RFC 3261 17.1.3), which then goes to its instance's owner.
     */
    public boolean onResponse(SipMessage m, Flow flow) {
        return inbound.onResponse(m, flow);
    }

    /** A TCP/TLS flow closed (I/O thread): the instances bound through it register again. */
    public void onFlowClosed(Flow flow) {
        inbound.onFlowClosed(flow);
    }

    /**
     * Whether this process may send a REGISTER (not an Expires 0) for a selector now: asked on
     * the selector's owner before every registration and refresh; an instance held back asks
     * again a second later and sends nothing meanwhile. The server gives its lease table's
     * answer (ownership of selector prefixes). Must be fast and non-blocking. Default: always.
     * Given at construction ({@link RegistrationEngines#create(org.opensipis.core.settings.Settings, RegistrationListener,
     * SipEndpoint, java.util.function.Predicate)}); tests of this package set it directly.
     */
    void setRegisterGate(java.util.function.Predicate<String> gate) {
        machine.gate.set(gate);
    }

    /** What the app registered for a selector this engine holds. O(1), lock-free. */
    public Optional<InstanceRecord> record(String selector) {
        Registration r = regs.get(selector);
        return r == null ? Optional.empty() : Optional.of(r.record);
    }

    /** Tasks waiting on each owner (event loop or owner thread), in owner order; -1 where unknown. */
    public List<Integer> ownerQueueSizes() {
        List<Integer> out = new ArrayList<>(owners.size());
        for (Owner o : owners.all()) {
            out.add(o.pendingTasks());
        }
        return out;
    }

    /** The owner executor of a selector's state; incoming-call state lives there too. */
    public Owner ownerFor(String selector) {
        return ownerOf(selector);
    }

    /**
     * The owners instances are partitioned over: every other component that keeps state of an
     * instance (app leg, hand-over, call relay, life cycle) runs it on {@code owners().of(selector)}.
     */
    public Owners owners() {
        return owners;
    }

    // ---- end of incoming requests ----

    private Owner ownerOf(String selector) {
        return owners.of(selector);
    }

    private String newCallId() {
        byte[] b = new byte[Registration.CALL_ID_HEX / 2];
        cfg.random().nextBytes(b);
        return HexFormat.of().formatHex(b) + Registration.CALL_ID_SUFFIX;
    }
}
