package org.opensipis.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The bounded {@code sipis-store-io-*} executor shared by the store's repositories
 * ({@link PgInstanceStore}, {@link PgCallLog}). Each piece of work runs in its own transaction
 * and completes its future on the io thread; a full queue, a closed store or an unreachable
 * database fails the future.
 */
final class StoreIo implements AutoCloseable {

    /** Calls queued beyond this fail at once instead of piling up during an outage. */
    static final int QUEUE = 2_048;

    private final DataSource ds;
    private final ThreadPoolExecutor io;

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

    /**
     * Runs {@code work} in a transaction on an io thread.
     *
     * @param what what is being done, for the error message ("saving the registration of selector X")
     */
    <T> CompletableFuture<T> tx(String what, Work<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            io.execute(() -> {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try {
                        T result = work.run(c);
                        c.commit();
                        f.complete(result);
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                } catch (SQLException e) {
                    f.completeExceptionally(new StoreException(what + ": " + Failures.describe(e), e));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new StoreException(what + ": the store is closed or " + QUEUE
                    + " database calls are already waiting", e));
        }
        return f;
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
    }
}
