package org.opensipis.sip.owner;

/**
 * A serial executor that owns some mutable state, with timers that run on it. Production uses
 * the transport's Netty event loops ({@link EventLoopOwner}) or one thread per owner
 * ({@link ThreadOwner}); tests use a manual owner driven by a fake clock.
 */
public interface Owner {

    /** Runs the task on the owner, after the tasks already queued. */
    void execute(Runnable task);

    /** Runs the task on the owner after {@code delayMillis} (by the owner's clock). */
    Cancellable schedule(Runnable task, long delayMillis);

    /**
     * Like {@link #schedule}, for timers whose exact moment does not matter (refresh, backoff):
     * the owner may run it a little later (at most {@link #SLACK_MILLIS}) so that timers due
     * close together run in one wake-up. The default runs it on time.
     */
    default Cancellable scheduleLoosely(Runnable task, long delayMillis) {
        return schedule(task, delayMillis);
    }

    /** How late {@link #scheduleLoosely} may run a task. */
    long SLACK_MILLIS = 20;

    /** Tasks waiting to run on this owner (for /about), or -1 when the owner cannot tell. */
    default int pendingTasks() {
        return -1;
    }

    /** Whether the calling thread is this owner. */
    boolean inOwner();

    /** A scheduled task that may be cancelled (no effect once it ran). */
    interface Cancellable {
        void cancel();
    }
}
