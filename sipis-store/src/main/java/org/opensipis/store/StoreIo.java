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
 * {@link #batched} work (registrations, admissions) is grouped: up to {@value #BATCH} waiting
 * items run in one transaction and one call of their group (one set-based statement), so they
 * share one commit instead of one each. One group is in flight while it keeps up, so what
 * arrives during its transaction waits for the next group: with 8 clients that makes groups of
 * 4–8 and halves the database and JDBC work per registration against four groups of 2 in
 * flight (measured: 1,362/s against 494/s on the shared 2-core machine). The next group starts
 * as soon as the previous one has committed, on another io thread, while the first completes its
 * futures; starting it before the commit made two flushes wait on each other. A group waits up to
 * 1 ms for as many items as recently waited at once ({@link GroupGathering}), so the callers
 * answered a moment ago join it instead of forming a second, half-size group. When a full group
 * ({@value #BATCH}) is waiting, more groups run at once, on up to half of the io threads. Work a group does after its commit
 * ({@link ResultGroup#afterCommit}, e.g. {@link #notifyLater NOTIFY}) does not delay the answers.
 */
final class StoreIo implements AutoCloseable {

    /** Calls queued beyond this fail at once instead of piling up. */
    static final int QUEUE = 2_048;
    /** Most calls of {@link #batched} work per transaction. */
    static final int BATCH = 200;
    private static final Logger LOG = LoggerFactory.getLogger(StoreIo.class);

    private final DataSource ds;
    private final ThreadPoolExecutor io;
    private final ArrayBlockingQueue<Grouped<?, ?>> batchQueue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicInteger drainers = new AtomicInteger();
    /** Groups between taking their items and their commit. */
    private final AtomicInteger running = new AtomicInteger();
    private final GroupGathering gathering = new GroupGathering();
    /** Io threads that drain batched work at the same time (groups in flight). */
    private final int maxDrainers;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final Notifier notifier;

    StoreIo(DataSource ds, int threads) {
        this.ds = ds;
        this.io = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                Threads.named("sipis-store-io", true));
        this.io.allowCoreThreadTimeOut(true);
        this.maxDrainers = Math.max(2, threads / 2);
        this.notifier = new Notifier(ds, io);
    }

    /** Work done inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private record Pending<T>(String what, Work<T> work, CompletableFuture<T> future, Runnable after) {
        Pending(String what, Work<T> work, CompletableFuture<T> future) {
            this(what, work, future, null);
        }

        /** Runs the work; the result is given to the future only after the commit. */
        Runnable run(Connection c) throws SQLException {
            T result = work.run(c);
            return () -> future.complete(result);
        }
    }

    private record Grouped<R, T>(String what, R item, ResultGroup<R, T> group, CompletableFuture<T> future) {
        Pending<T> alone() {
            return new Pending<>(what, c -> {
                List<T> r = group.run(c, List.of(item), true);
                return r == null ? null : r.get(0);
            }, future, () -> group.afterCommit(List.of(item)));
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
    <R, T> CompletableFuture<T> batched(String what, R item, ResultGroup<R, T> group) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Grouped<R, T> g = new Grouped<>(what, item, group, f);
        if (down.get()) {
            return tx(what, g.alone().work());   // fails at once, or is the probe
        }
        if (io.isShutdown() || !batchQueue.offer(g)) {
            f.completeExceptionally(rejected(what));
            return f;
        }
        gathering.arrived(batchQueue.size());
        f.whenComplete((v, e) -> gathering.answered());
        startDrainer();
        return f;
    }

    private void startDrainer() {
        while (true) {
            int n = drainers.get();
            // one group in its transaction while it keeps up: the items that wait meanwhile form
            // the next, larger group (one round trip and one commit for all); the next group starts
            // as soon as the running one has committed, or at once when a full group waits
            if (n >= maxDrainers || batchQueue.isEmpty() || !mayRun()) {
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

    /** Whether another group may start its statements now. */
    private boolean mayRun() {
        return running.get() == 0 || batchQueue.size() >= BATCH;
    }

    /** Claims the right to run a group (see {@link #startDrainer}); false while another runs and no full group waits. */
    private boolean claimRun() {
        while (true) {
            int r = running.get();
            if (r > 0 && batchQueue.size() < BATCH) {
                return false;
            }
            if (running.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    private void drain() {
        try {
            List<Grouped<?, ?>> batch = new ArrayList<>(BATCH);
            while (claimRun()) {
                AtomicBoolean committing = new AtomicBoolean();
                Runnable atCommit = () -> {
                    if (committing.compareAndSet(false, true)) {
                        running.decrementAndGet();
                        // the next group starts while this thread completes the futures (whose
                        // callbacks write the HTTP answers): measured 5-10 % more registrations/s
                        startDrainer();
                    }
                };
                try {
                    gathering.await(batchQueue, BATCH);   // up to 1 ms for the callers answered just now
                    if (batchQueue.drainTo(batch, BATCH) == 0) {
                        break;
                    }
                    runBatch(batch, atCommit);
                    batch.clear();
                } finally {
                    atCommit.run();
                }
            }
        } finally {
            drainers.decrementAndGet();
        }
        startDrainer();   // work that arrived after the last drainTo
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runBatch(List<Grouped<?, ?>> batch, Runnable atCommit) {
        if (batch.size() == 1) {
            runOne(batch.get(0).alone(), atCommit);
            return;
        }
        Map<ResultGroup<?, ?>, List<Grouped<?, ?>>> groups = new LinkedHashMap<>();
        for (Grouped<?, ?> g : batch) {
            if (g.group().locksFirst()) {
                groups.computeIfAbsent(g.group(), k -> new ArrayList<>()).add(g);
            }
        }
        for (Grouped<?, ?> g : batch) {
            if (!g.group().locksFirst()) {
                groups.computeIfAbsent(g.group(), k -> new ArrayList<>()).add(g);
            }
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            Map<ResultGroup<?, ?>, List<?>> results = new LinkedHashMap<>();
            Map<ResultGroup<?, ?>, List<Object>> itemsOf = new LinkedHashMap<>();
            try {
                int left = groups.size();
                for (Map.Entry<ResultGroup<?, ?>, List<Grouped<?, ?>>> e : groups.entrySet()) {
                    List<Object> items = new ArrayList<>(e.getValue().size());
                    for (Grouped<?, ?> g : e.getValue()) {
                        items.add(g.item());
                    }
                    itemsOf.put(e.getKey(), items);
                    List<?> r = ((ResultGroup) e.getKey()).run(c, items, --left == 0);
                    if (r != null) {
                        results.put(e.getKey(), r);
                    }
                }
                c.commit();
                atCommit.run();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
            markUp();
            for (Map.Entry<ResultGroup<?, ?>, List<Grouped<?, ?>>> e : groups.entrySet()) {
                List<?> r = results.get(e.getKey());
                List<Grouped<?, ?>> gs = e.getValue();
                for (int i = 0; i < gs.size(); i++) {
                    ((CompletableFuture) gs.get(i).future()).complete(r == null ? null : r.get(i));
                }
            }
            for (Map.Entry<ResultGroup<?, ?>, List<Object>> e : itemsOf.entrySet()) {
                ((ResultGroup) e.getKey()).afterCommit(e.getValue());
            }
        } catch (SQLException e) {
            if (Failures.isOutage(e) && !Failures.isConflict(e)) {
                markDown(e);
                for (Grouped<?, ?> g : batch) {
                    g.future().completeExceptionally(unavailable(g.what(), e));
                }
                return;
            }
            for (Grouped<?, ?> g : batch) {
                if (!g.future().isDone()) {
                    runOne(g.alone());   // find the item the database refuses
                }
            }
        } catch (RuntimeException e) {
            for (Grouped<?, ?> g : batch) {
                if (!g.future().isDone()) {
                    runOne(g.alone());
                }
            }
        }
    }

    /** Notifies listeners of these committed selectors soon, off the answer's path ({@link Notifier}). */
    void notifyLater(List<String> selectors) {
        notifier.notifyLater(selectors);
    }

    private void runOne(Pending<?> p) {
        runOne(p, () -> { });
    }

    private void runOne(Pending<?> p, Runnable atCommit) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            Runnable done;
            try {
                done = p.run(c);
                c.commit();
                atCommit.run();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
            markUp();
            done.run();
            if (p.after() != null) {
                p.after().run();
            }
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
        Grouped<?, ?> p;
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
