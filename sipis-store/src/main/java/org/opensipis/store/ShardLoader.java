package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.store.InstanceRows.Positioned;
import org.opensipis.core.shard.SelectorRange;
import org.opensipis.core.shard.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the instances of one shard: for each selector range an index range scan over
 * {@code instances} (joined with this server's {@code instance_states}) and one over
 * {@code device_tokens}, both in selector order and fetched in chunks, merged in memory one
 * instance at a time. Rows outside the shard ({@link Shard#owns}) are skipped; a row whose
 * secrets do not open is logged by selector and skipped.
 */
final class ShardLoader {

    static final int FETCH = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(ShardLoader.class);

    private final DataSource ds;
    private final InstanceRows rows;

    ShardLoader(DataSource ds, InstanceRows rows) {
        this.ds = ds;
        this.rows = rows;
    }

    /** Loads the shard into the sink on the caller's thread; returns how many were delivered. */
    long load(Shard shard, Consumer<LoadedInstance> sink) {
        if (shard.isEmpty()) {
            return 0;
        }
        long delivered = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            for (SelectorRange range : shard.ranges()) {
                delivered += loadRange(c, shard, range, sink);
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException("cannot load the instances of shard " + shard + ": " + Failures.describe(e), e);
        }
        return delivered;
    }

    private long loadRange(Connection c, Shard shard, SelectorRange range, Consumer<LoadedInstance> sink)
            throws SQLException {
        String where = range.upper().isPresent() ? "selector >= ? AND selector < ?" : "selector >= ?";
        String instanceSql = "SELECT " + InstanceRows.INSTANCE_COLUMNS + ", " + InstanceRows.STATE_COLUMNS
                + " FROM instances i LEFT JOIN instance_states s ON s.selector = i.selector AND s.server_name = ?"
                + " WHERE i." + where.replace(" AND selector", " AND i.selector") + " ORDER BY i.selector";
        String tokenSql = "SELECT " + InstanceRows.TOKEN_COLUMNS + " FROM device_tokens WHERE " + where
                + " ORDER BY selector";
        long delivered = 0;
        long skipped = 0;
        try (PreparedStatement ip = c.prepareStatement(instanceSql); PreparedStatement tp = c.prepareStatement(tokenSql)) {
            ip.setFetchSize(FETCH);
            tp.setFetchSize(FETCH * 2);
            ip.setString(1, shard.serverName());
            bind(ip, 2, range);
            bind(tp, 1, range);
            try (ResultSet irs = ip.executeQuery(); ResultSet trs = tp.executeQuery()) {
                Positioned pendingToken = trs.next() ? InstanceRows.token(trs) : null;
                while (irs.next()) {
                    String sel = irs.getString(1);
                    List<Positioned> tokens = new ArrayList<>(2);
                    // Tokens of selectors before this one belong to rows that vanished between the scans.
                    while (pendingToken != null && pendingToken.selector().compareTo(sel) <= 0) {
                        if (pendingToken.selector().equals(sel)) {
                            tokens.add(pendingToken);
                        }
                        pendingToken = trs.next() ? InstanceRows.token(trs) : null;
                    }
                    String appId = irs.getString(2);
                    if (!shard.owns(sel, appId)) {
                        continue;
                    }
                    try {
                        InstanceRecord r = InstanceRows.withTokens(rows.record(irs, List.of()), tokens);
                        sink.accept(new LoadedInstance(r,
                                InstanceRows.state(irs, sel, InstanceRows.INSTANCE_COLUMN_COUNT + 1)));
                        delivered++;
                    } catch (StoreException | IllegalArgumentException e) {
                        skipped++;
                        LOG.error("Not loading selector {}: {}", sel, e.getMessage());
                    }
                }
            }
        }
        if (skipped > 0) {
            LOG.error("Skipped {} instance(s) of {} whose stored data could not be read (see above)", skipped, shard);
        }
        return delivered;
    }

    private static void bind(PreparedStatement ps, int from, SelectorRange range) throws SQLException {
        ps.setString(from, range.lower());
        if (range.upper().isPresent()) {
            ps.setString(from + 1, range.upper().get());
        }
    }
}
