package org.opensipis.server.lease;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.settings.LeaseSettings;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.core.shard.Shard;
import org.opensipis.server.instances.InstanceCoordinator;
import org.opensipis.server.instances.InstanceDirectory;
import org.opensipis.server.plan.ShardDelta;
import org.opensipis.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves selector prefixes between running processes, make before break, under the leases of
 * {@link LeaseKeeper}. On a reload it computes with {@link ShardDelta} (the {@code sipis plan}
 * arithmetic) what this process keeps, gains and loses. A gained prefix is taken once its owner
 * releases it; its instances are loaded with the newest state any process wrote (the same
 * Call-ID, the next CSeq) and registered with this process's own Contact through the throttle.
 * A lost prefix is released to its gainer; this process keeps refreshing and answering for it
 * until the gainer takes the lease, then, for each instance the gainer has registered (its 200,
 * seen in {@code instance_states}), removes its own binding (Expires 0, through the throttle),
 * forgets the instance and closes its app-leg flow so the app reconnects through LB2.
 */
public final class Rebalancer implements LeaseEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    /** A hand-over still waiting for the gainer's 200s after this long is given up (logged). */
    static final long HAND_OVER_LIMIT_MILLIS = 10 * 60_000;

    private final String name;
    private final Store store;
    private final InstanceDirectory directory;
    private final Clock clock;
    private final AtomicReference<Shard> shard;
    private final AtomicReference<Optional<Lb2Settings>> lb2;
    private final LeaseKeeper keeper;
    private final List<HandOver> handing = new ArrayList<>();   // lease thread only
    private volatile InstanceCoordinator coordinator;
    private final double handOverRate;
    /** Paces the adoption of a gained prefix's instances (never the lease thread, which must keep renewing). */
    private final java.util.concurrent.ScheduledExecutorService pacer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sipis-lease-handover");
                t.setDaemon(true);
                return t;
            });
    private volatile Consumer<String> closeAppFlow = s -> { };

    /** One prefix being handed over: the instances still ours, shared with the call gate. */
    private record HandOver(SelectorPrefix prefix, String gainer, Instant releasedAt, long startedAt,
                            Set<String> pending) {
    }

    /**
     * @param handOverRate instances per second a gained prefix is registered at: half the
     *                     process's {@code PerRegistrarRate}, so that the loser, which refreshes
     *                     its own instances through the same kind of throttle, removes its
     *                     bindings as fast as they are replaced and no overlap waits in its queue
     */
    public Rebalancer(String name, Store store, LeaseSettings settings, InstanceDirectory directory, Clock clock,
                      Shard shard, Optional<Lb2Settings> lb2, double handOverRate) {
        this.handOverRate = Math.max(1, handOverRate);
        this.name = name;
        this.store = store;
        this.directory = directory;
        this.clock = clock;
        this.shard = new AtomicReference<>(shard);
        this.lb2 = new AtomicReference<>(lb2);
        this.keeper = new LeaseKeeper(name, store.leases(), settings, clock, this);
        this.keeper.standbyFor(this::standbyFor);
        this.claimThreads.allowCoreThreadTimeOut(true);
        this.forkGate = new LeaseForkGate(name, this::holding, store.leases()::claimPush,
                store.leases()::sipAddressOf, claimThreads);
    }

    /**
     * {@code Lease[TakeOver]}: this process stands by for the one before it in the LB2 file
     * (distinct names in file order, the first after the last).
     */
    boolean standbyFor(String owner) {
        return lb2.get().map(l -> name.equals(LeaseShards.next(l, owner))).orElse(false);
    }

    /** The shard of the LB2 file read last, with the prefixes taken over from a failed process first. */
    public Shard shard() {
        return LeaseShards.withTakenOver(name, shard.get(), takenOver, lb2.get());
    }

    /** Prefixes taken over from failed processes (Lease[TakeOver]); until the next reload. */
    private volatile List<SelectorPrefix> takenOver = List.of();

    /** Where adopted and handed-over instances go, and how an app-leg flow is closed (wired once). */
    public void wire(InstanceCoordinator c, Consumer<String> closeFlow) {
        this.coordinator = c;
        this.closeAppFlow = closeFlow;
    }

    /** Hands an instance's waiting calls to the new holder's SIP address (wired once). */
    private volatile java.util.function.BiConsumer<String, java.net.InetSocketAddress> handOverCalls = (s, a) -> { };
    /** This process's SIP address ({@code host:port}), announced at start; null: calls are not handed over. */
    private volatile String sipAddress;

    /**
     * How calls move with their instances (wired once, before {@link #start}).
     *
     * @param ownSipAddress  this process's SIP address from its settings, written to the database
     *                       for its peers
     * @param handOver       the call side: hands an instance's waiting calls to an address
     */
    public void wireCalls(String ownSipAddress, java.util.function.BiConsumer<String, java.net.InetSocketAddress> handOver) {
        this.sipAddress = ownSipAddress;
        this.handOverCalls = handOver;
    }

    /** Takes the leases of this process's prefixes (loading their instances), then keeps them. Blocking. */
    public void start() {
        if (sipAddress != null) {
            store.leases().announceSipAddress(name, sipAddress);
        }
        keeper.start(LeaseShards.owned(shard.get(), lb2.get()));
        paced = true; // from now on a gained prefix is another process's: replace its bindings at the hand-over rate
    }

    /** False during the start: the process's own prefixes are adopted at once (their bindings are resumed). */
    private volatile boolean paced;

    /** The gate of REGISTERs and refreshes. */
    public boolean mayRegister(String selector) {
        return keeper.holds(selector);
    }

    /** A copy of {@link #handing} for other threads. */
    private volatile List<HandOver> handingView = List.of();

    /**
     * How long after gaining a prefix from another process its instances stay contested here: the
     * loser follows a hand-over for at most {@link #HAND_OVER_LIMIT_MILLIS} after it sees the take,
     * so a minute more covers its whole overlap.
     */
    static final long CONTESTED_AFTER_GAIN_MILLIS = HAND_OVER_LIMIT_MILLIS + 60_000;

    /** A prefix gained from another process (hand-over or take-over), and when. */
    record Gain(SelectorPrefix prefix, long atMillis) {
    }

    private volatile List<Gain> recentGains = List.of();

    /**
     * The epoch of the lease this process acts under for the selector now, or -1: the fencing
     * token its state writes carry ({@code StateWriter#fence}). Lock-free.
     */
    public long epochOf(String selector) {
        return keeper.lease(selector).map(HeldLease::epoch).orElse(-1L);
    }

    /** Who pushes an instance's calls: see {@link LeaseForkGate}. Lock-free. */
    LeaseForkGate.Holding holding(String selector) {
        List<Set<String>> pending = new ArrayList<>();
        for (HandOver h : handingView) {
            pending.add(h.pending());
        }
        return holding(selector, pending, keeper.lease(selector), recentGains, clock.millis());
    }

    /**
     * Contested while the instance is still ours in a hand-over under way, while its lease is
     * released to a gainer (who may have taken it and registered already), and for
     * {@link #CONTESTED_AFTER_GAIN_MILLIS} after its prefix was gained from another process;
     * held under a lease of ours otherwise; not held without one.
     */
    static LeaseForkGate.Holding holding(String selector, List<Set<String>> handingOver, Optional<HeldLease> lease,
                                         List<Gain> gains, long nowMillis) {
        for (Set<String> pending : handingOver) {
            if (pending.contains(selector)) {
                return LeaseForkGate.Holding.CONTESTED;
            }
        }
        if (lease.isEmpty()) {
            return LeaseForkGate.Holding.NOT_HELD;
        }
        if (lease.get().releasedTo().isPresent()) {
            return LeaseForkGate.Holding.CONTESTED;
        }
        for (Gain g : gains) {
            if (nowMillis - g.atMillis() < CONTESTED_AFTER_GAIN_MILLIS && g.prefix().matches(selector)) {
                return LeaseForkGate.Holding.CONTESTED;
            }
        }
        return LeaseForkGate.Holding.HELD;
    }

    /** Claims run here: two threads, a bounded queue (a full one pushes without a claim). */
    private final java.util.concurrent.ThreadPoolExecutor claimThreads = new java.util.concurrent.ThreadPoolExecutor(2, 2,
            30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(2_000), r -> {
                Thread t = new Thread(r, "sipis-push-claims");
                t.setDaemon(true);
                return t;
            });
    private final LeaseForkGate forkGate;
    private long claimsCleanedAt;

    /** The call side's gate (wired once by the server). */
    public org.opensipis.sip.call.ForkGate forkGate() {
        return forkGate;
    }

    /**
     * A new LB2 file (SIGHUP, {@code sipis ctl reload}): hands over what it loses, takes what it
     * gains. Refused, with the reason logged, when the file leaves a selector without an owner or
     * gives it two.
     *
     * @return what changed for this process
     * @throws IllegalArgumentException when the file is refused
     */
    public ShardDelta reload(Shard next, Optional<Lb2Settings> nextLb2) {
        Optional<Lb2Settings> before = lb2.get();
        if (before.isEmpty() || nextLb2.isEmpty() || !next.isFiltered()) {
            throw new IllegalArgumentException("a rebalance needs the LB2 file before and after, and"
                    + " Server[FilterInstancesAccordingToLoadBalancer2BackendSection]=Yes");
        }
        ShardDelta fromFiles = ShardDelta.of(before.get(), nextLb2.get(), name);
        // prefixes taken over from a failed process stay ours: the files do not know about them
        List<SelectorPrefix> kept = new ArrayList<>(fromFiles.kept());
        kept.addAll(takenOver);
        ShardDelta delta = new ShardDelta(kept, fromFiles.gained(), fromFiles.lost());
        shard.set(next);
        lb2.set(nextLb2);
        LOG.info("reload: LB2 Backend for {}: keeps {}, gains {}, loses {}", name, delta.kept(), delta.gained(),
                delta.lost());
        keeper.reshape(delta);
        return delta;
    }

    // ---- LeaseEvents, on the lease thread ----

    @Override
    public void gained(SelectorPrefix prefix, String previousOwner) {
        if (!previousOwner.isEmpty()) {
            List<SelectorPrefix> t = new ArrayList<>(takenOver);
            t.add(prefix);
            takenOver = List.copyOf(t);
        }
        if (paced || !previousOwner.isEmpty()) {
            List<Gain> g = new ArrayList<>();
            long now = clock.millis();
            for (Gain x : recentGains) {
                if (now - x.atMillis() < CONTESTED_AFTER_GAIN_MILLIS) {
                    g.add(x);
                }
            }
            g.add(new Gain(prefix, now));
            recentGains = List.copyOf(g);
        }
        InstanceCoordinator c = coordinator;
        long t0 = System.nanoTime();
        List<org.opensipis.store.LoadedInstance> loaded = new ArrayList<>();
        store.loadPrefix(prefix, li -> {
            if (shard().owns(li.record().selector(), li.record().appId())) {
                loaded.add(li);
            }
        });
        LOG.info("Loaded {} instance(s) of {} in {} ms; registering them through the throttle{}", loaded.size(),
                LeaseKeeper.label(prefix.toString()), (System.nanoTime() - t0) / 1_000_000,
                paced ? " at " + (long) handOverRate + "/s (half of PerRegistrarRate)" : "");
        int perStep = paced ? (int) Math.max(1, Math.round(handOverRate / 10)) : Math.max(1, loaded.size());
        for (int from = 0, step = 0; from < loaded.size(); from += perStep, step++) {
            List<org.opensipis.store.LoadedInstance> batch = loaded.subList(from, Math.min(loaded.size(), from + perStep));
            Runnable adopt = () -> batch.forEach(li -> c.adopt(li.record(), li.state().map(this::continued)));
            if (step == 0) {
                adopt.run();
            } else {
                pacer.schedule(adopt, step * 100L, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Another process's state of an instance: continue its Call-ID and CSeq, but not its binding
     * (that Contact is the other process's; ours is registered anew beside it).
     */
    private InstanceState continued(InstanceState s) {
        if (s.server().equals(name)) {
            return s;
        }
        return new InstanceState(s.selector(), name, s.state(), s.reason(), Optional.empty(), Optional.empty(),
                s.callId(), s.cseq(), s.changedAt());
    }

    @Override
    public void handedOver(SelectorPrefix prefix, String gainer, Instant releasedAt) {
        Set<String> pending = ConcurrentHashMap.newKeySet();
        directory.scan(scanPrefix(prefix), k -> {
            if (prefix.matches(k.record().selector())) {
                pending.add(k.record().selector());
            }
            return true;
        });
        handing.add(new HandOver(prefix, gainer, releasedAt, clock.millis(), pending));
        handingView = List.copyOf(handing);
        LOG.info("Handing {} instance(s) of {} over to {}", pending.size(), LeaseKeeper.label(prefix.toString()), gainer);
    }

    @Override
    public void lost(SelectorPrefix prefix) {
        // the gate already refuses; the instances stay in memory, their bindings lapse at the registrars
    }

    @Override
    public void tick() {
        long now = clock.millis();
        if (now - claimsCleanedAt > 60_000) {
            claimsCleanedAt = now;
            try {
                store.leases().forgetPushClaims(java.time.Duration.ofMillis(CONTESTED_AFTER_GAIN_MILLIS));
            } catch (RuntimeException e) {
                LOG.debug("Cannot delete old push claims: {}", e.toString());
            }
        }
        if (handing.isEmpty()) {
            return;
        }
        InstanceCoordinator c = coordinator;
        for (HandOver h : List.copyOf(handing)) {
            List<String> registered;
            try {
                registered = store.leases().registeredBy(h.gainer(), h.prefix(), h.releasedAt());
            } catch (RuntimeException e) {
                LOG.debug("Cannot follow the hand-over of {}: {}", h.prefix(), e.toString());
                continue;
            }
            java.net.InetSocketAddress gainerAt = registered.isEmpty() ? null : sipAddressOf(h.gainer());
            for (String sel : registered) {
                if (h.pending().remove(sel)) {
                    c.handOver(sel);
                    if (gainerAt != null) {
                        handOverCalls.accept(sel, gainerAt); // calls pushed here and still waiting for the app
                    }
                    closeAppFlow.accept(sel);
                }
            }
            long age = clock.millis() - h.startedAt();
            if (h.pending().isEmpty() || age > HAND_OVER_LIMIT_MILLIS) {
                if (!h.pending().isEmpty()) {
                    LOG.warn("Hand-over of {} to {}: {} instance(s) not registered by {} after {} s; their bindings"
                            + " here lapse at the registrar", LeaseKeeper.label(h.prefix().toString()), h.gainer(),
                            h.pending().size(), h.gainer(), age / 1000);
                } else {
                    LOG.info("Handed {} over to {} in {} ms", LeaseKeeper.label(h.prefix().toString()), h.gainer(), age);
                }
                handing.remove(h);
                handingView = List.copyOf(handing);
            }
        }
    }

    /** The gainer's announced SIP address; null (logged) when unknown: its waiting calls then end here. */
    private java.net.InetSocketAddress sipAddressOf(String process) {
        try {
            Optional<String> a = store.leases().sipAddressOf(process);
            if (a.isEmpty()) {
                LOG.warn("{} announced no SIP address: calls waiting here for instances handed to it are not forwarded",
                        process);
                return null;
            }
            return LeaseForkGate.parse(a.get());
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the SIP address of {}: {}; calls waiting here are not forwarded", process, e.toString());
            return null;
        }
    }

    private static String scanPrefix(SelectorPrefix p) {
        return p.lowerBound().substring(0, p.bits() / 4);
    }

    @Override
    public void close() {
        keeper.close();
        pacer.shutdownNow();
        claimThreads.shutdownNow();
    }
}
