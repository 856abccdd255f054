package org.opensipis.sip.owner;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An {@link Owner} backed by one named daemon thread. Cancelled timers are removed at once. */
public final class ThreadOwner implements Owner, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadOwner.class);
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    public ThreadOwner(String name) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.prestartCoreThread();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(guard(task));
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        ScheduledFuture<?> f = executor.schedule(guard(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Task on owner {} failed", Thread.currentThread().getName(), e);
            }
        };
    }

    @Override
    public int pendingTasks() {
        return executor.getQueue().size();
    }

    @Override
    public boolean inOwner() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
