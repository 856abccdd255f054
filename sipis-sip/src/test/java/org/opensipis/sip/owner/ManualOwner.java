package org.opensipis.sip.owner;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.opensipis.core.testing.FakeClock;

/**
 * An {@link Owner} for tests: tasks queue until the test thread runs them; timers fire when the
 * test advances the {@link FakeClock}. Other threads (Netty, DNS) may call {@link #execute}.
 */
public final class ManualOwner implements Owner {

    private final FakeClock clock;
    private final ConcurrentLinkedQueue<Runnable> ready = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timed> timers = new PriorityQueue<>();
    private long seq;
    private volatile Thread driver;

    public ManualOwner(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayMillis) {
        Timed t = new Timed(clock.millis() + Math.max(0, delayMillis), seq++, task);
        timers.add(t);
        return () -> t.cancelled = true;
    }

    @Override
    public boolean inOwner() {
        return Thread.currentThread() == driver;
    }

    /** Runs queued tasks (and timers already due) until none is left; returns how many ran. */
    public int runReady() {
        driver = Thread.currentThread();
        int n = 0;
        for (int i = 0; i < 10_000_000; i++) {
            Runnable r = ready.poll();
            if (r == null) {
                Timed due = nextDue(clock.millis());
                if (due == null) {
                    return n;
                }
                r = due.task;
            }
            r.run();
            n++;
        }
        throw new IllegalStateException("owner tasks do not settle");
    }

    /** Moves time forward, firing timers in order at their due times. */
    public void advance(Duration d) {
        long target = clock.millis() + d.toMillis();
        runReady();
        for (int i = 0; i < 10_000_000; i++) {
            Timed due = nextDue(target);
            if (due == null) {
                break;
            }
            if (due.at > clock.millis()) {
                clock.set(java.time.Instant.ofEpochMilli(due.at));
            }
            due.task.run();
            runReady();
        }
        clock.set(java.time.Instant.ofEpochMilli(target));
        runReady();
    }

    private synchronized Timed nextDue(long limit) {
        while (!timers.isEmpty()) {
            Timed t = timers.peek();
            if (t.cancelled) {
                timers.poll();
                continue;
            }
            if (t.at > limit) {
                return null;
            }
            return timers.poll();
        }
        return null;
    }

    /** Pending (not cancelled) timers. */
    public synchronized long pendingTimers() {
        return timers.stream().filter(t -> !t.cancelled).count();
    }

    private static final class Timed implements Comparable<Timed> {
        final long at;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        Timed(long at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Timed o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }
}
