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
 * Drives every tracked instance along its {@link ExpiryPlanner} timeline. State lives on the
 * one {@code owner} executor; {@link #tick()} (posted there by {@link #start} every period,
 * or called by tests after moving a fake clock) runs the steps that are due by the clock.
 * Due times sit in a sorted set, so a tick costs O(log n) per due instance, not a scan.
 */
public final class InstanceLifecycle implements LifecycleTracker {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceLifecycle.class);

    private final ExpiryPlanner planner;
    private final Clock clock;
    private final Executor owner;
    private final LifecycleActions actions;
    private final Map<String, Tracked> tracked = new HashMap<>();
    private final TreeSet<Due> queue = new TreeSet<>(Comparator.comparing(Due::at).thenComparing(Due::selector));

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

    public InstanceLifecycle(ExpiryPlanner planner, Clock clock, Executor owner, LifecycleActions actions) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.actions = Objects.requireNonNull(actions, "actions");
    }

    /** Ticks every {@code period} on {@code timer} (the work itself runs on the owner). */
    public ScheduledFuture<?> start(ScheduledExecutorService timer, Duration period) {
        long ms = period.toMillis();
        return timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void contact(String selector, Instant lastAppContact, boolean premium) {
        owner.execute(() -> {
            Tracked t = tracked.get(selector);
            if (t == null) {
                t = new Tracked(new LifecycleView(selector, lastAppContact, premium, Optional.empty()));
                tracked.put(selector, t);
            } else if (lastAppContact.isBefore(t.view.lastAppContact())) {
                return; // an older report arriving late
            } else {
                t.view = new LifecycleView(selector, lastAppContact, premium, t.view.notRegisteredSince());
                t.lastDone = lastAppContact.isAfter(t.lastDone) ? lastAppContact : t.lastDone;
            }
            reschedule(t);
        });
    }

    @Override
    public void registration(String selector, boolean registered, Instant since) {
        owner.execute(() -> {
            Tracked t = tracked.get(selector);
            if (t == null) {
                LOG.debug("Registration change for untracked instance {} ignored", selector);
                return;
            }
            Optional<Instant> was = t.view.notRegisteredSince();
            Optional<Instant> now = registered ? Optional.empty() : Optional.of(was.orElse(since));
            if (!now.equals(was)) {
                t.view = new LifecycleView(selector, t.view.lastAppContact(), t.view.premium(), now);
                reschedule(t);
            }
        });
    }

    @Override
    public void forget(String selector) {
        owner.execute(() -> {
            Tracked t = tracked.remove(selector);
            if (t != null && t.due != null) {
                queue.remove(t.due);
            }
        });
    }

    /** Runs every step that is due by the clock (posted to the owner). */
    public void tick() {
        owner.execute(this::runDue);
    }

    /** For tests and /stats: the next step of an instance, if tracked (call on the owner). */
    Optional<Instant> nextDue(String selector) {
        Tracked t = tracked.get(selector);
        return t == null || t.due == null ? Optional.empty() : Optional.of(t.due.at());
    }

    int size() {
        return tracked.size();
    }

    private void runDue() {
        Instant now = clock.instant();
        for (int guard = 0; !queue.isEmpty() && !queue.first().at().isAfter(now) && guard < 1_000_000; guard++) {
            Due d = queue.pollFirst();
            Tracked t = tracked.get(d.selector());
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
                tracked.remove(d.selector());
            } else {
                reschedule(t);
            }
        }
    }

    private void reschedule(Tracked t) {
        if (t.due != null) {
            queue.remove(t.due);
            t.due = null;
        }
        planner.next(t.view, t.lastDone).ifPresent(a -> {
            t.due = new Due(a.at(), t.view.selector());
            queue.add(t.due);
        });
    }
}
