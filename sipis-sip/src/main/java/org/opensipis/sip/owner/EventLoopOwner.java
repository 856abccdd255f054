package org.opensipis.sip.owner;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** An {@link Owner} on a Netty event loop (the throttle runs on the UDP socket's loop). */
public final class EventLoopOwner implements Owner {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventLoopOwner.class);

    private final EventLoop loop;
    /** The pending {@link Slot}s of {@link #scheduleLoosely}, by due time (System.nanoTime); only on the loop. */
    private final java.util.Map<Long, Slot> slots = new java.util.HashMap<>();

    public EventLoopOwner(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void execute(Runnable task) {
        if (!loop.isShuttingDown()) {
            loop.execute(task);
        }
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        ScheduledFuture<?> f = loop.schedule(task, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    /**
     * Due times are rounded up to a grid of {@link #SLACK_MILLIS}: thousands of refresh timers a
     * second then wake the loop 50 times a second instead of once each. Called on the loop (the
     * owners' timers always are), the timers of one grid point share one scheduled task of the
     * loop ({@link Slot}): a pending timer is then a small handle in its slot, not a scheduled
     * future of its own, which is most of what 100,000 waiting refresh timers cost in heap.
     */
    @Override
    public Cancellable scheduleLoosely(Runnable task, long delayMillis) {
        long now = System.nanoTime();
        long grid = TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS);
        long due = now + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis));
        long aligned = Math.floorDiv(due + grid - 1, grid) * grid;
        if (!loop.inEventLoop()) {
            ScheduledFuture<?> f = loop.schedule(task, aligned - now, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }
        Slot slot = slots.get(aligned);
        if (slot == null) {
            slot = new Slot(aligned);
            slots.put(aligned, slot);
            loop.schedule(slot, aligned - now, TimeUnit.NANOSECONDS);
        }
        Loose handle = new Loose(task);
        slot.add(handle);
        return handle;
    }

    /** A timer waiting in a {@link Slot}; cancelling it drops its task (the slot skips it). */
    private static final class Loose implements Cancellable {
        volatile Runnable task;

        Loose(Runnable task) {
            this.task = task;
        }

        @Override
        public void cancel() {
            task = null;
        }
    }

    /** The loose timers of one grid point, run in the order they were scheduled. Touched only on the loop. */
    private final class Slot implements Runnable {
        private final long due;
        private Loose[] timers = new Loose[4];
        private int size;

        Slot(long due) {
            this.due = due;
        }

        void add(Loose l) {
            if (size == timers.length) {
                timers = java.util.Arrays.copyOf(timers, size * 2);
            }
            timers[size++] = l;
        }

        @Override
        public void run() {
            slots.remove(due, this);
            for (int i = 0; i < size; i++) {
                Runnable task = timers[i].task;
                timers[i] = null;
                if (task == null) {
                    continue;
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) { // as the loop does for a task of its own: log, go on
                    LOG.warn("A timer task failed on {}", Thread.currentThread().getName(), e);
                }
            }
        }
    }

    @Override
    public int pendingTasks() {
        return loop instanceof io.netty.util.concurrent.SingleThreadEventExecutor e ? e.pendingTasks() : -1;
    }

    @Override
    public boolean inOwner() {
        return loop.inEventLoop();
    }
}
