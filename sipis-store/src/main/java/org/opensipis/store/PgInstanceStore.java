package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.shard.Selector;

/**
 * {@link InstanceStore} on PostgreSQL. Each call runs in its own transaction on the bounded
 * {@code sipis-store-io-*} executor; a full queue or an unreachable database fails the future.
 */
final class PgInstanceStore implements InstanceStore, AutoCloseable {

    /** Calls queued beyond this fail at once instead of piling up during an outage. */
    static final int QUEUE = 2_048;

    private final DataSource ds;
    private final InstanceRows rows;
    private final ThreadPoolExecutor io;

    PgInstanceStore(DataSource ds, InstanceRows rows, int threads) {
        this.ds = ds;
        this.rows = rows;
        this.io = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                Threads.named("sipis-store-io", true));
        this.io.allowCoreThreadTimeOut(true);
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> CompletableFuture<T> tx(String what, Work<T> work) {
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
    public CompletableFuture<Void> saveRegistration(InstanceRecord record) {
        String sel;
        try {
            sel = Selector.normalise(record.selector());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        InstanceRecord r = sel.equals(record.selector()) ? record : new InstanceRecord(sel, record.appId(),
                record.premium(), record.account(), record.appSecret(), record.tokens(), record.lastAppContact(),
                record.appForeground());
        return tx("saving the registration of selector " + sel, c -> {
            rows.save(c, r);
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<InstanceRecord>> find(String selector) {
        String sel = selector.toUpperCase(java.util.Locale.ROOT);
        return tx("reading selector " + sel, c -> rows.find(c, sel));
    }

    @Override
    public CompletableFuture<Boolean> delete(String selector) {
        String sel = selector.toUpperCase(java.util.Locale.ROOT);
        return tx("deleting selector " + sel, c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM instance_states WHERE selector = ?");
                 PreparedStatement ps = c.prepareStatement("DELETE FROM instances WHERE selector = ?")) {
                st.setString(1, sel);
                st.executeUpdate();
                ps.setString(1, sel);
                boolean existed = ps.executeUpdate() > 0;
                if (existed) {
                    InstanceRows.notify(c, sel);
                }
                return existed;
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> removeToken(String selector, String token) {
        String sel = selector.toUpperCase(java.util.Locale.ROOT);
        return tx("removing a device token of selector " + sel, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM device_tokens WHERE selector = ? AND token = ?")) {
                ps.setString(1, sel);
                ps.setString(2, token);
                boolean existed = ps.executeUpdate() > 0;
                if (existed) {
                    try (PreparedStatement touch = c.prepareStatement(
                            "UPDATE instances SET changed_at = clock_timestamp() WHERE selector = ?")) {
                        touch.setString(1, sel);
                        touch.executeUpdate();
                    }
                    InstanceRows.notify(c, sel);
                }
                return existed;
            }
        });
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
