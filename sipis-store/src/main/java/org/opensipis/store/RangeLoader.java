package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.store.InstanceRows.Positioned;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the instances of one selector prefix for a process that takes it over from another:
 * each with the newest state any server name wrote for it, so that the new owner continues the
 * instance's Call-ID and CSeq. A prefix moves a share of a shard, so its tokens are read into a
 * map first and the instances streamed in one index range scan.
 */
final class RangeLoader {

    private static final Logger LOG = LoggerFactory.getLogger(RangeLoader.class);

    private final DataSource ds;
    private final InstanceRows rows;

    RangeLoader(DataSource ds, InstanceRows rows) {
        this.ds = ds;
        this.rows = rows;
    }

    long load(SelectorPrefix prefix, Consumer<LoadedInstance> sink) {
        String where = prefix.upperBound().isPresent() ? "selector >= ? AND selector < ?" : "selector >= ?";
        String instanceSql = "SELECT " + InstanceRows.INSTANCE_COLUMNS + ", " + InstanceRows.STATE_COLUMNS
                + " FROM instances i LEFT JOIN LATERAL (SELECT * FROM instance_states x WHERE x.selector = i.selector"
                + " ORDER BY x.changed_at DESC LIMIT 1) s ON true WHERE i." + where.replace(" AND selector", " AND i.selector")
                + " ORDER BY i.selector";
        String tokenSql = "SELECT " + InstanceRows.TOKEN_COLUMNS + " FROM device_tokens WHERE " + where;
        long delivered = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            Map<String, List<Positioned>> tokens = new HashMap<>();
            try (PreparedStatement tp = c.prepareStatement(tokenSql)) {
                tp.setFetchSize(ShardLoader.FETCH);
                bind(tp, 1, prefix);
                try (ResultSet rs = tp.executeQuery()) {
                    while (rs.next()) {
                        Positioned p = InstanceRows.token(rs);
                        tokens.computeIfAbsent(p.selector(), k -> new ArrayList<>(2)).add(p);
                    }
                }
            }
            try (PreparedStatement ip = c.prepareStatement(instanceSql)) {
                ip.setFetchSize(ShardLoader.FETCH);
                bind(ip, 1, prefix);
                try (ResultSet rs = ip.executeQuery()) {
                    while (rs.next()) {
                        String sel = rs.getString(1);
                        if (!prefix.matches(sel)) {
                            continue;
                        }
                        try {
                            sink.accept(new LoadedInstance(InstanceRows.withTokens(rows.record(rs, List.of()),
                                    tokens.getOrDefault(sel, new ArrayList<>())),
                                    InstanceRows.state(rs, sel, InstanceRows.INSTANCE_COLUMN_COUNT + 1)));
                            delivered++;
                        } catch (StoreException | IllegalArgumentException e) {
                            LOG.error("Not loading selector {}: {}", sel, e.getMessage());
                        }
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException("cannot load the instances of prefix " + prefix + ": " + Failures.describe(e), e);
        }
        return delivered;
    }

    private static void bind(PreparedStatement ps, int from, SelectorPrefix p) throws SQLException {
        ps.setString(from, p.lowerBound());
        if (p.upperBound().isPresent()) {
            ps.setString(from + 1, p.upperBound().get());
        }
    }
}
