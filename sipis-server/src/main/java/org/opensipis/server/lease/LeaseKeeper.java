package org.opensipis.server.lease;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.settings.LeaseSettings;
import org.opensipis.core.shard.PrefixRanges;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.server.plan.ShardDelta;
import org.opensipis.store.PgLeases;
import org.opensipis.store.PgLeases.Lease;
import org.opensipis.store.PgLeases.Taken;
import org.opensipis.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases this process holds, kept on one thread ({@code sipis-lease}): every quarter second it
 * renews them when due ({@code Lease/RenewPeriod}), tries to take the prefixes its LB2 file gives
 * it and it does not hold yet, and reports gains, hand-overs and losses. {@link #holds} is the
 * gate the registration engine and the call side ask (any thread, lock-free): a selector is held
 * while a lease row of this process covers it and its local deadline — when the last successful
 * renewal was sent, plus {@code Lease/Duration}, minus a safety margin — has not passed, so a
 * process that cannot reach the database stops acting before another one may take over.
 */
public final class LeaseKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
    static final long TICK_MILLIS = 250;

    private final String name;
    private final PgLeases leases;
    private final LeaseSettings cfg;
    private final Clock clock;
    private final LeaseEvents events;
    private final ScheduledExecutorService thread;
    /** Replaced as a whole on the lease thread; read by the gate on any thread. */
    private volatile List<HeldLease> held = List.of();
    private List<SelectorPrefix> wanted = List.of();
    private final Set<String> waitingLogged = new HashSet<>();
    private long nextRenewAt;
    private boolean renewFailing;
    /** With {@code Lease[TakeOver]}: whether this process is the standby of the named one. */
    private volatile java.util.function.Predicate<String> standbyFor = owner -> false;

    LeaseKeeper(String name, PgLeases leases, LeaseSettings cfg, Clock clock, LeaseEvents events) {
        this.name = name;
        this.leases = leases;
        this.cfg = cfg;
        this.clock = clock;
        this.events = events;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipis-lease");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes what it can of {@code owned} now (blocking, one round), then keeps the leases every quarter second. */
    void start(List<SelectorPrefix> owned) {
        begin(owned);
        thread.scheduleWithFixedDelay(this::safeRound, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The first round only (tests drive the next ones with {@link #roundNow}). */
    void begin(List<SelectorPrefix> owned) {
        onThread(() -> {
            wanted = List.copyOf(owned);
            round();
        });
    }

    /** One round now, on the lease thread (tests). */
    void roundNow() {
        onThread(this::round);
    }

    /**
     * A reload changed this process's prefixes: its rows become {@code delta}'s kept prefixes and
     * its lost ones, released to their gainers; the gained ones are taken as soon as their owners
     * release them. Blocking until the database has the new rows.
     */
    void reshape(ShardDelta delta) {
        onThread(() -> {
            List<Lease> rows = leases.reshape(name, delta.kept(), delta.lost(), cfg.duration());
            long deadline = deadline(clock.millis());
            List<HeldLease> next = new ArrayList<>();
            for (Lease l : rows) {
                next.add(held(l, deadline));
                l.releasedTo().ifPresent(to -> LOG.info("Lease of {} released to {} (epoch {}): handing over once {}"
                        + " takes it", label(l.prefix()), to, l.epoch(), to));
            }
            held = List.copyOf(next);
            wanted = delta.owned();
            waitingLogged.clear();
            round();
        });
    }

    /** Which processes this one stands by for (the next one in the LB2 file, see {@link Rebalancer}). */
    void standbyFor(java.util.function.Predicate<String> p) {
        this.standbyFor = p;
    }

    /** Whether this process may act on the selector now (register, refresh, answer its calls). Lock-free. */
    public boolean holds(String selector) {
        long now = clock.millis();
        for (HeldLease h : held) {
            if (now < h.deadlineMillis() && h.covers(selector)) {
                return true;
            }
        }
        return false;
    }

    /** The lease covering the selector that this process may act on now, if any. Lock-free. */
    Optional<HeldLease> lease(String selector) {
        long now = clock.millis();
        for (HeldLease h : held) {
            if (now < h.deadlineMillis() && h.covers(selector)) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /** The leases held now (the control page, tests). */
    List<HeldLease> held() {
        return held;
    }

    private void safeRound() {
        try {
            round();
        } catch (RuntimeException e) {
            LOG.error("Lease round failed: {}", e.toString(), e);
        }
    }

    private void round() {
        long now = clock.millis();
        // while a prefix is released to its gainer, look every round: the gainer's take ends our part at once
        if (now >= nextRenewAt || held.stream().anyMatch(h -> h.releasedTo().isPresent())) {
            renew(now);
        }
        takeWanted();
        if (cfg.takeOver()) {
            takeOverLapsed();
        }
        events.tick();
    }

    /** {@code Lease[TakeOver]}: takes the prefixes of a process this one stands by for, lapsed for {@code TakeOverAfter}. */
    private void takeOverLapsed() {
        List<Lease> lapsed;
        try {
            lapsed = leases.lapsedFor(cfg.takeOverAfter());
        } catch (StoreException e) {
            return;
        }
        for (Lease l : lapsed) {
            if (l.owner().equals(name) || !standbyFor.test(l.owner())) {
                continue;
            }
            SelectorPrefix p = SelectorPrefix.parse(l.prefix());
            long sentAt = clock.millis();
            Taken t;
            try {
                t = leases.take(name, p, cfg.duration());
            } catch (StoreException e) {
                return;
            }
            if (t.lease().isEmpty()) {
                continue;
            }
            List<HeldLease> next = new ArrayList<>();
            for (HeldLease h : held) {
                if (!PrefixRanges.overlap(h.prefix(), p)) {
                    next.add(h);
                }
            }
            next.add(held(t.lease().get(), deadline(sentAt)));
            held = List.copyOf(next);
            LOG.warn("Took over the lease of {} from {}, which has not renewed it for more than {} s (epoch {})",
                    label(l.prefix()), l.owner(), cfg.takeOverAfter().toSeconds(), t.lease().get().epoch());
            events.gained(p, l.owner());
        }
    }

    private void renew(long sentAt) {
        List<HeldLease> current = held;
        if (current.isEmpty()) {
            nextRenewAt = sentAt + cfg.renewPeriod().toMillis();
            return;
        }
        Map<String, Long> epochs = new java.util.LinkedHashMap<>();
        current.forEach(h -> epochs.put(h.prefix().toString(), h.epoch()));
        Map<String, Lease> renewed;
        try {
            renewed = leases.renew(name, epochs, cfg.duration());
        } catch (StoreException e) {
            if (!renewFailing) {
                LOG.error("Cannot renew the leases of {}: {}; acting on them until {} ms from the last renewal",
                        epochs.keySet(), e.getMessage(), cfg.duration().minus(cfg.safetyMargin()).toMillis());
            }
            renewFailing = true;
            nextRenewAt = sentAt + TICK_MILLIS;
            return;
        }
        if (renewFailing) {
            LOG.info("Leases renewed again");
            renewFailing = false;
        }
        long deadline = deadline(sentAt);
        List<HeldLease> next = new ArrayList<>();
        for (HeldLease h : current) {
            Lease l = renewed.get(h.prefix().toString());
            if (l != null) {
                next.add(held(l, deadline));
            } else if (h.releasedTo().isPresent()) {
                LOG.info("{} took the lease of {}: handing its instances over as it registers them",
                        h.releasedTo().get(), label(h.prefix().toString()));
                events.handedOver(h.prefix(), h.releasedTo().get(), h.releasedAt().orElse(Instant.EPOCH));
            } else {
                LOG.error("Lost the lease of {} (epoch {}): another process holds it now; no longer registering"
                        + " or answering calls for its instances", label(h.prefix().toString()), h.epoch());
                events.lost(h.prefix());
            }
        }
        held = List.copyOf(next);
        nextRenewAt = sentAt + cfg.renewPeriod().toMillis();
    }

    private void takeWanted() {
        for (SelectorPrefix p : wanted) {
            List<SelectorPrefix> mine = new ArrayList<>();
            for (HeldLease h : held) {
                if (h.releasedTo().isEmpty()) {
                    mine.add(h.prefix());
                }
            }
            if (PrefixRanges.covered(p, mine)) {
                continue;
            }
            long sentAt = clock.millis();
            Taken t;
            try {
                t = leases.take(name, p, cfg.duration());
            } catch (StoreException e) {
                LOG.debug("Cannot take the lease of {}: {}", label(p.toString()), e.getMessage());
                return;
            }
            if (t.lease().isPresent()) {
                Lease l = t.lease().get();
                List<HeldLease> next = new ArrayList<>();
                for (HeldLease h : held) {
                    if (!PrefixRanges.overlap(h.prefix(), p)) {
                        next.add(h);
                    }
                }
                next.add(held(l, deadline(sentAt)));
                held = List.copyOf(next);
                waitingLogged.remove(p.toString());
                LOG.info("Took the lease of {} (epoch {})", label(l.prefix()), l.epoch());
                events.gained(p, "");
            } else if (waitingLogged.add(p.toString())) {
                Lease b = t.blockers().get(0);
                LOG.info("Waiting for the lease of {}: held by {} (prefix {}, epoch {}) until it is handed over{}",
                        label(p.toString()), b.owner(), label(b.prefix()), b.epoch(),
                        cfg.takeOver() ? " or lapses for " + cfg.takeOverAfter().toSeconds() + " s" : "");
            }
        }
    }

    private long deadline(long sentAt) {
        return sentAt + cfg.duration().minus(cfg.safetyMargin()).toMillis();
    }

    private static HeldLease held(Lease l, long deadline) {
        return new HeldLease(SelectorPrefix.parse(l.prefix()), l.epoch(), deadline, l.releasedTo(), l.releasedAt());
    }

    static String label(String prefix) {
        return prefix.isEmpty() ? "(all selectors)" : prefix;
    }

    private void onThread(Runnable r) {
        try {
            thread.submit(r).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        }
    }

    /** Stops keeping the leases; they lapse after {@code Lease/Duration}, or a restart with this name takes them back. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        held = List.of();
    }

}
