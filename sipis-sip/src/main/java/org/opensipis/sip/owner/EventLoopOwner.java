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

    @Override
    public boolean inOwner() {
        return loop.inEventLoop();
    }
}
