package org.opensipis.sip.owner;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** An {@link Owner} on a Netty event loop (the throttle runs on the UDP socket's loop). */
public final class EventLoopOwner implements Owner {

    private final EventLoop loop;

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
     * second then wake the loop 50 times a second instead of once each.
     */
    @Override
    public Cancellable scheduleLoosely(Runnable task, long delayMillis) {
        long now = System.nanoTime();
        long grid = TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS);
        long due = now + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis));
        long aligned = Math.floorDiv(due + grid - 1, grid) * grid;
        ScheduledFuture<?> f = loop.schedule(task, aligned - now, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
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
