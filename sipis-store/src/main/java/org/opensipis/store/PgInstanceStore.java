package org.opensipis.store;

import java.sql.PreparedStatement;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.shard.Selector;

/**
 * {@link InstanceStore} on PostgreSQL. Each call runs in its own transaction on the bounded
 * {@code sipis-store-io-*} executor ({@link StoreIo}); a full queue or an unreachable database
 * fails the future.
 */
final class PgInstanceStore implements InstanceStore {

    private final StoreIo io;
    private final InstanceRows rows;

    private final Group<InstanceRows.Sealed> saveGroup;

    PgInstanceStore(StoreIo io, InstanceRows rows) {
        this.io = io;
        this.rows = rows;
        this.saveGroup = new Group<>() {
            @Override
            public void runAll(java.sql.Connection c, java.util.List<InstanceRows.Sealed> items)
                    throws java.sql.SQLException {
                rows.saveAll(c, items, java.util.Map.of());
            }

            @Override
            public void afterCommit(java.util.List<InstanceRows.Sealed> items) {
                io.notifyLater(items.stream().map(i -> i.record().selector()).distinct().toList());
            }
        };
    }

    private <T> CompletableFuture<T> tx(String what, StoreIo.Work<T> work) {
        return io.tx(what, work);
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
        // grouped with other waiting registrations into one transaction: one commit for many
        InstanceRows.Sealed sealed;
        try {
            sealed = rows.seal(r);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return io.batched("saving the registration of selector " + sel, sealed, saveGroup);
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
                    // a tombstone, for processes that catch up by time instead of by notification
                    try (PreparedStatement t = c.prepareStatement("INSERT INTO instance_deletions (selector) "
                            + "VALUES (?) ON CONFLICT (selector) DO UPDATE SET deleted_at = clock_timestamp()")) {
                        t.setString(1, sel);
                        t.executeUpdate();
                    }
                    InstanceRows.notify(c, sel);
                }
                return existed;
            }
        });
    }

    @Override
    public CompletableFuture<Void> recordAppContact(String selector, java.time.Instant at) {
        String sel = selector.toUpperCase(java.util.Locale.ROOT);
        return tx("recording contact from the app of selector " + sel, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE instances SET last_app_contact = ? WHERE selector = ? AND last_app_contact < ?")) {
                ps.setObject(1, InstanceRows.ts(at));
                ps.setString(2, sel);
                ps.setObject(3, InstanceRows.ts(at));
                ps.executeUpdate();
                return null;
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
}
