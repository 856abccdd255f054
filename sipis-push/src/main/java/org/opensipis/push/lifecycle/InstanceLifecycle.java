package org.opensipis.push.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
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
 * on every owner, the steps that are due by the clock. Due times sit in a sorted set per
 * partition, so a tick costs O(log n) per due instance, not a scan.
 */
public final class InstanceLifecycle implements LifecycleTracker {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceLifecycle.class);

    private final ExpiryPlanner planner;
    private final Clock clock;
    private final LifecycleOwners owners;
    private final LifecycleActions actions;
    private final Partition[] partitions;

    private record Due(Instant at, String selector) {
    }

    private static final class Tracked {
        LifecycleView view;
        Instant lastDone;
        Due due;

        Tracked(LifecycleView view) {
            this.view = view;
            this.lastDone = view.lastAppContact();
        }
    }

    /** The tracked instances of one owner; touched only on that owner. */
    private static final class Partition {
        final Map<String, Tracked> tracked = new HashMap<>();
        final TreeSet<Due> queue = new TreeSet<>(Comparator.comparing(Due::at).thenComparing(Due::selector));
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
                t = new Tracked(new LifecycleView(selector, lastAppContact, premium, Optional.empty()));
                p.tracked.put(selector, t);
            } else if (lastAppContact.isBefore(t.view.lastAppContact())) {
                return; // an older report arriving late
            } else {
                t.view = new LifecycleView(selector, lastAppContact, premium, t.view.notRegisteredSince());
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
            Optional<Instant> was = t.view.notRegisteredSince();
            Optional<Instant> now = registered ? Optional.empty() : Optional.of(was.orElse(since));
            if (!now.equals(was)) {
                t.view = new LifecycleView(selector, t.view.lastAppContact(), t.view.premium(), now);
                reschedule(p, t);
            }
        });
    }

    @Override
    public void forget(String selector) {
        onOwner(selector, "forget", p -> {
            Tracked t = p.tracked.remove(selector);
            if (t != null && t.due != null) {
                p.queue.remove(t.due);
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
        return t == null || t.due == null ? Optional.empty() : Optional.of(t.due.at());
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
        for (int guard = 0; !p.queue.isEmpty() && !p.queue.first().at().isAfter(now) && guard < 1_000_000; guard++) {
            Due d = p.queue.pollFirst();
            Tracked t = p.tracked.get(d.selector());
            if (t == null) {
                continue;
            }
            t.due = null;
            List<PlannedAction> steps = planner.due(t.view, t.lastDone, now);
            t.lastDone = now;
            boolean off = false;
            for (PlannedAction a : steps) {
                try {
                    if (a.kind().isOff()) {
                        off = true;
                        LOG.info("Instance {} expired ({}); turning it off", d.selector(), a.kind());
                        actions.expire(d.selector(), a.kind());
                    } else {
                        actions.warn(d.selector(), a.kind() == PlannedAction.Kind.SILENT_WARNING
                                ? Verb.ABOUT_TO_EXPIRE_SILENT : Verb.ABOUT_TO_EXPIRE_INTRUSIVE, a.expiresAt());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Life-cycle step {} of {} failed: {}", a.kind(), d.selector(), e.toString());
                }
            }
            if (off) {
                p.tracked.remove(d.selector());
            } else {
                reschedule(p, t);
            }
        }
    }

    private void reschedule(Partition p, Tracked t) {
        if (t.due != null) {
            p.queue.remove(t.due);
            t.due = null;
        }
        planner.next(t.view, t.lastDone).ifPresent(a -> {
            t.due = new Due(a.at(), t.view.selector());
            p.queue.add(t.due);
        });
    }
}
