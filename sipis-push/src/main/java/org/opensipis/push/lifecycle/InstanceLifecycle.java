package org.opensipis.push.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.push.LifecycleTracker;
import org.opensipis.core.push.Verb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every tracked instance along its {@link ExpiryPlanner} timeline. An instance's
 * life-cycle state lives on the owner of its selector ({@link LifecycleOwners}: in the process,
 * the registration engine's owners); each owner keeps its own partition. {@link #tick()}
 * (posted by {@link #start} every period, or called by tests after moving a fake clock) runs,
 * on every owner, the steps that are due by the clock. Due times sit in a heap per partition
 * (the tracked instances themselves, {@link DueQueue}), so a tick costs O(log n) per due
 * instance, not a scan.
 */
public final class InstanceLifecycle implements LifecycleTracker {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceLifecycle.class);

    private final ExpiryPlanner planner;
    private final Clock clock;
    private final LifecycleOwners owners;
    private final LifecycleActions actions;
    private final Partition[] partitions;

    /**
     * One tracked instance, in plain fields (its {@link LifecycleView} is built when the planner
     * asks), and itself the element of its partition's {@link DueQueue} while a step is planned:
     * one object per instance besides its map entry and its slot in the queue's array.
     */
    private static final class Tracked extends DueQueue.Entry {
        final String selector;
        Instant lastAppContact;
        boolean premium;
        /** Since when it has not been registered; null while it is. */
        Instant notRegisteredSince;
        Instant lastDone;

        Tracked(String selector, Instant lastAppContact, boolean premium) {
            this.selector = selector;
            this.lastAppContact = lastAppContact;
            this.premium = premium;
            this.lastDone = lastAppContact;
        }

        @Override
        String key() {
            return selector;
        }

        LifecycleView view() {
            return new LifecycleView(selector, lastAppContact, premium, Optional.ofNullable(notRegisteredSince));
        }
    }

    /** Epoch nanoseconds (exact until the year 2262; later ones, never planned in practice, saturate). */
    private static long nanos(Instant i) {
        if (i.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L - 1) {
            return Long.MAX_VALUE;
        }
        if (i.getEpochSecond() <= Long.MIN_VALUE / 1_000_000_000L + 1) {
            return Long.MIN_VALUE;
        }
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** The tracked instances of one owner; touched only on that owner. */
    private static final class Partition {
        final SelectorTable<Tracked> tracked = new SelectorTable<>(t -> t.selector);
        final DueQueue<Tracked> queue = new DueQueue<>();
    }

    /** All instances on one executor (tests). */
    public InstanceLifecycle(ExpiryPlanner planner, Clock clock, Executor owner, LifecycleActions actions) {
        this(planner, clock, LifecycleOwners.single(Objects.requireNonNull(owner, "owner")), actions);
    }

    /** Each instance on the owner of its selector. */
    public InstanceLifecycle(ExpiryPlanner planner, Clock clock, LifecycleOwners owners, LifecycleActions actions) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.owners = Objects.requireNonNull(owners, "owners");
        this.actions = Objects.requireNonNull(actions, "actions");
        this.partitions = new Partition[owners.size()];
        for (int i = 0; i < partitions.length; i++) {
            partitions[i] = new Partition();
        }
    }

    /** Ticks every {@code period} on {@code timer} (the work itself runs on the owners). */
    public ScheduledFuture<?> start(ScheduledExecutorService timer, Duration period) {
        long ms = period.toMillis();
        return timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code work} with the selector's partition on the selector's owner. */
    private void onOwner(String selector, String method, java.util.function.Consumer<Partition> work) {
        int i = owners.indexOf(selector);
        owners.execute(i, () -> {
            check(i, method, selector);
            work.accept(partitions[i]);
        });
    }

    private void check(int index, String method, String selector) {
        if (!owners.inOwner(index)) {
            throw new IllegalStateException("InstanceLifecycle." + method + " of selector " + selector + " ran on thread "
                    + Thread.currentThread().getName() + ", not on the selector's owner");
        }
    }

    @Override
    public void contact(String selector, Instant lastAppContact, boolean premium) {
        onOwner(selector, "contact", p -> {
            Tracked t = p.tracked.get(selector);
            if (t == null) {
                t = new Tracked(selector, lastAppContact, premium);
                p.tracked.put(t);
            } else if (lastAppContact.isBefore(t.lastAppContact)) {
                return; // an older report arriving late
            } else {
                t.lastAppContact = lastAppContact;
                t.premium = premium;
                t.lastDone = lastAppContact.isAfter(t.lastDone) ? lastAppContact : t.lastDone;
            }
            reschedule(p, t);
        });
    }

    @Override
    public void registration(String selector, boolean registered, Instant since) {
        onOwner(selector, "registration", p -> {
            Tracked t = p.tracked.get(selector);
            if (t == null) {
                LOG.debug("Registration change for untracked instance {} ignored", selector);
                return;
            }
            Instant was = t.notRegisteredSince;
            Instant now = registered ? null : was != null ? was : since;
            if (!Objects.equals(now, was)) {
                t.notRegisteredSince = now;
                reschedule(p, t);
            }
        });
    }

    @Override
    public void forget(String selector) {
        onOwner(selector, "forget", p -> {
            Tracked t = p.tracked.remove(selector);
            if (t != null) {
                p.queue.remove(t);
            }
        });
    }

    /** Runs every step that is due by the clock (posted to every owner). */
    public void tick() {
        for (int i = 0; i < partitions.length; i++) {
            Partition p = partitions[i];
            owners.execute(i, () -> runDue(p));
        }
    }

    /** For tests and /stats: the next step of an instance, if tracked (call on the selector's owner). */
    Optional<Instant> nextDue(String selector) {
        Tracked t = partitions[owners.indexOf(selector)].tracked.get(selector);
        return t == null || !t.queued() ? Optional.empty() : Optional.of(instant(t.due));
    }

    int size() {
        int n = 0;
        for (Partition p : partitions) {
            n += p.tracked.size();
        }
        return n;
    }

    private void runDue(Partition p) {
        Instant now = clock.instant();
        long nowNanos = nanos(now);
        for (int guard = 0; !p.queue.isEmpty() && p.queue.first().due <= nowNanos && guard < 1_000_000; guard++) {
            Tracked t = p.queue.pollFirst();
            if (p.tracked.get(t.selector) != t) {
                continue;
            }
            List<PlannedAction> steps = planner.due(t.view(), t.lastDone, now);
            t.lastDone = now;
            boolean off = false;
            for (PlannedAction a : steps) {
                try {
                    if (a.kind().isOff()) {
                        off = true;
                        LOG.info("Instance {} expired ({}); turning it off", t.selector, a.kind());
                        actions.expire(t.selector, a.kind());
                    } else {
                        actions.warn(t.selector, a.kind() == PlannedAction.Kind.SILENT_WARNING
                                ? Verb.ABOUT_TO_EXPIRE_SILENT : Verb.ABOUT_TO_EXPIRE_INTRUSIVE, a.expiresAt());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Life-cycle step {} of {} failed: {}", a.kind(), t.selector, e.toString());
                }
            }
            if (off) {
                p.tracked.remove(t.selector);
            } else {
                reschedule(p, t);
            }
        }
    }

    private void reschedule(Partition p, Tracked t) {
        p.queue.remove(t);
        planner.next(t.view(), t.lastDone).ifPresent(a -> {
            t.due = nanos(a.at());
            p.queue.add(t);
        });
    }
}
