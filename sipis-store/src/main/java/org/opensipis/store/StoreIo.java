package org.opensipis.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.opensipis.core.instance.StoreBusyException;
import org.opensipis.core.instance.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded {@code sipis-store-io-*} executor shared by the store's repositories
 * ({@link PgInstanceStore}, {@link PgCallLog}). Each piece of work runs in its own transaction
 * and completes its future on the io thread, or fails it:
 * <ul>
 * <li>with {@link StoreBusyException} when {@value #QUEUE} calls are already waiting (the
 *     database is up but saturated);</li>
 * <li>with {@link StoreUnavailableException} when the database is unreachable. After a
 *     connection-class failure the database is known to be down: further calls fail at once,
 *     without holding a thread for the connection timeout, while one call at a time goes
 *     through as a probe; the first success ends the outage.</li>
 * </ul>
 * {@link #batched} work (registrations) is grouped: up to {@value #BATCH} waiting items run in
 * one transaction and one call of their group (one JDBC batch, one round trip), so they share
 * one commit (one fsync, one NOTIFY flush) instead of one each.
 */
final class StoreIo implements AutoCloseable {

    /** Calls queued beyond this fail at once instead of piling up. */
    static final int QUEUE = 2_048;
    /** Most calls of {@link #batched} work per transaction. */
    static final int BATCH = 200;
    /** Io threads that drain batched work at the same time (one commits while the other executes). */
    private static final int DRAINERS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(StoreIo.class);

    private final DataSource ds;
    private final ThreadPoolExecutor io;
    private final ArrayBlockingQueue<Grouped<?>> batchQueue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicInteger drainers = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();

    StoreIo(DataSource ds, int threads) {
        this.ds = ds;
        this.io = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                Threads.named("sipis-store-io", true));
        this.io.allowCoreThreadTimeOut(true);
    }

    /** Work done inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private record Pending<T>(String what, Work<T> work, CompletableFuture<T> future) {
        /** Runs the work; the result is given to the future only after the commit. */
        Runnable run(Connection c) throws SQLException {
            T result = work.run(c);
            return () -> future.complete(result);
        }
    }

    /** Work done for many items at once, inside one transaction (e.g. one JDBC batch). */
    @FunctionalInterface
    interface Group<R> {
        void run(Connection c, List<R> items) throws SQLException;
    }

    private record Grouped<R>(String what, R item, Group<R> group, CompletableFuture<Void> future) {
        Pending<Void> alone() {
            return new Pending<>(what, c -> {
                group.run(c, List.of(item));
                return null;
            }, future);
        }
    }

    /** False from a connection-class failure until the next successful call. */
    boolean isDatabaseKnownDown() {
        return down.get();
    }

    /**
     * Runs {@code work} in a transaction on an io thread.
     *
     * @param what what is being done, for the error message ("saving the registration of selector X")
     */
    <T> CompletableFuture<T> tx(String what, Work<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        boolean probe = false;
        if (down.get()) {
            if (!probing.compareAndSet(false, true)) {
                f.completeExceptionally(new StoreUnavailableException(what + ": the database is unavailable"));
                return f;
            }
            probe = true;
        }
        boolean isProbe = probe;
        try {
            io.execute(() -> {
                try {
                    runOne(new Pending<>(what, work, f));
                } finally {
                    if (isProbe) {
                        probing.set(false);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            if (isProbe) {
                probing.set(false);
            }
            f.completeExceptionally(rejected(what));
        }
        return f;
    }

    /**
     * Like {@link #tx}, but {@code item} may share its transaction, and its {@code group} call,
     * with other waiting items of the same group: up to {@value #BATCH} in one transaction and
     * one commit. If that transaction fails for a data reason, each item is run again alone, so
     * one bad item fails only itself. The future completes after the commit.
     */
    <R> CompletableFuture<Void> batched(String what, R item, Group<R> group) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Grouped<R> g = new Grouped<>(what, item, group, f);
        if (down.get()) {
            Pending<Void> p = g.alone();
            return tx(p.what(), p.work());   // fails at once, or is the probe
        }
        if (io.isShutdown() || !batchQueue.offer(g)) {
            f.completeExceptionally(rejected(what));
            return f;
        }
        startDrainer();
        return f;
    }

    private void startDrainer() {
        while (true) {
            int n = drainers.get();
            if (n >= DRAINERS || batchQueue.isEmpty()) {
                return;
            }
            if (drainers.compareAndSet(n, n + 1)) {
                try {
                    io.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    drainers.decrementAndGet();
                    failQueued();
                }
                return;
            }
        }
    }

    private void drain() {
        try {
            List<Grouped<?>> batch = new ArrayList<>(BATCH);
            while (batchQueue.drainTo(batch, BATCH) > 0) {
                runBatch(batch);
                batch.clear();
            }
        } finally {
            drainers.decrementAndGet();
        }
        startDrainer();   // work that arrived after the last drainTo
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runBatch(List<Grouped<?>> batch) {
        if (batch.size() == 1) {
            runOne(batch.get(0).alone());
            return;
        }
        Map<Group<?>, List<Object>> groups = new LinkedHashMap<>();
        for (Grouped<?> g : batch) {
            groups.computeIfAbsent(g.group(), k -> new ArrayList<>()).add(g.item());
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Map.Entry<Group<?>, List<Object>> e : groups.entrySet()) {
                    ((Group) e.getKey()).run(c, e.getValue());
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
            markUp();
            for (Grouped<?> g : batch) {
                g.future().complete(null);
            }
        } catch (SQLException e) {
            if (Failures.isOutage(e) && !Failures.isConflict(e)) {
                markDown(e);
                for (Grouped<?> g : batch) {
                    g.future().completeExceptionally(unavailable(g.what(), e));
                }
                return;
            }
            for (Grouped<?> g : batch) {
                runOne(g.alone());   // find the item the database refuses
            }
        } catch (RuntimeException e) {
            for (Grouped<?> g : batch) {
                runOne(g.alone());
            }
        }
    }

    private void runOne(Pending<?> p) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            Runnable done;
            try {
                done = p.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
            markUp();
            done.run();
        } catch (SQLException e) {
            if (Failures.isConflict(e)) {
                p.future().completeExceptionally(new StoreBusyException(p.what()
                        + ": the store is busy (conflicting concurrent change)"));
            } else if (Failures.isOutage(e)) {
                markDown(e);
                p.future().completeExceptionally(unavailable(p.what(), e));
            } else {
                p.future().completeExceptionally(new StoreException(p.what() + ": " + Failures.describe(e), e));
            }
        } catch (RuntimeException e) {
            p.future().completeExceptionally(e);
        }
    }

    /** Rolls back; a connection that is already broken must not hide the original failure. */
    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private void markDown(SQLException e) {
        if (down.compareAndSet(false, true)) {
            LOG.warn("Database unreachable ({}): store calls fail at once with \"the database is unavailable\";"
                    + " one call at a time probes it", Failures.describe(e));
        }
    }

    private void markUp() {
        if (down.compareAndSet(true, false)) {
            LOG.info("Database reachable again: store calls are accepted");
        }
    }

    private RuntimeException rejected(String what) {
        if (io.isShutdown()) {
            return new StoreUnavailableException(what + ": the store is closed");
        }
        return new StoreBusyException(what + ": the store is busy (" + QUEUE + " database calls are already waiting)");
    }

    private static StoreUnavailableException unavailable(String what, SQLException e) {
        return new StoreUnavailableException(what + ": the database is unavailable (" + Failures.describe(e) + ")", e);
    }

    private void failQueued() {
        Grouped<?> p;
        while ((p = batchQueue.poll()) != null) {
            p.future().completeExceptionally(rejected(p.what()));
        }
    }

    @Override
    public void close() {
        io.shutdown();
        try {
            if (!io.awaitTermination(10, TimeUnit.SECONDS)) {
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            io.shutdownNow();
            Thread.currentThread().interrupt();
        }
        failQueued();
    }
}
