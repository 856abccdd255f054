package org.opensipis.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends the NOTIFYs of committed registrations from one queue, on the store's io executor. */
final class Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final DataSource ds;
    private final Executor io;
    private final ConcurrentLinkedQueue<String> notifyQueue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean notifying = new AtomicBoolean();
    /** Selectors in the queue (ConcurrentLinkedQueue.size() walks the whole queue). */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();

    Notifier(DataSource ds, Executor io) {
        this.ds = ds;
        this.io = io;
    }

    /**
     * Notifies listeners of these committed selectors soon, off the answer's path: one io task
     * at a time sends everything queued in one statement, in a transaction committed
     * asynchronously. A notifying transaction holds PostgreSQL's global notify lock through its
     * commit, WAL flush included, so notifying inside the data's own transactions would serialise
     * their fsyncs. A notification lost (full queue, database gone, crash) is caught up by the
     * safety-net poll ({@code changed_at}).
     */
    void notifyLater(List<String> selectors) {
        for (String s : selectors) {
            if (queued.incrementAndGet() > StoreIo.QUEUE * StoreIo.BATCH) {
                queued.decrementAndGet();
                break;
            }
            notifyQueue.add(s);
        }
        if (notifying.compareAndSet(false, true)) {
            try {
                io.execute(this::sendNotifications);
            } catch (RejectedExecutionException e) {
                notifying.set(false);
            }
        }
    }

    private void sendNotifications() {
        try {
            List<String> batch = new ArrayList<>();
            String s;
            while ((s = notifyQueue.poll()) != null || !batch.isEmpty()) {
                if (s != null) {
                    queued.decrementAndGet();
                    batch.add(s);
                    if (batch.size() < StoreIo.QUEUE) {
                        continue;
                    }
                }
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    InstanceRows.notifyAfterCommit(c, batch);
                    c.commit();
                } catch (SQLException e) {
                    LOG.info("Could not notify {} committed change(s) ({}); other processes see them at their next poll",
                            batch.size(), Failures.describe(e));
                }
                batch.clear();
            }
        } finally {
            notifying.set(false);
        }
        if (!notifyQueue.isEmpty()) {
            notifyLater(List.of());
        }
    }
}
