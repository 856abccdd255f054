package org.opensipis.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.shard.SelectorRange;
import org.opensipis.core.shard.Shard;
import org.opensipis.store.InstanceRows.Positioned;
import org.opensipis.store.InstanceRows.Raw;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Set-based reads of changed registrations for one shard: by a set of notified selectors
 * ({@code selector = ANY(?)}), or by {@code changed_at}/{@code deleted_at} within the shard's
 * selector ranges. Never one query per selector. Callers own the connection.
 */
final class ChangeReader {

    /** Selectors read per statement, and records per delivered batch. */
    static final int CHUNK = 500;
    private static final Logger LOG = LoggerFactory.getLogger(ChangeReader.class);

    private final InstanceRows rows;
    private final Shard shard;

    ChangeReader(InstanceRows rows, Shard shard) {
        this.rows = rows;
        this.shard = shard;
    }

    /** Whether the selector lies in one of the shard's ranges (the AppIdPrefix check needs the record). */
    boolean inRanges(String selector) {
        for (SelectorRange r : shard.ranges()) {
            if (r.contains(selector)) {
                return true;
            }
        }
        return false;
    }

    /** The current records of these selectors (owned ones) and the ones that no longer exist. */
    RegistrationChanges read(Connection c, Collection<String> selectors) throws SQLException {
        Set<String> asked = new LinkedHashSet<>(selectors);
        List<Raw> raws = new ArrayList<>(asked.size());
        Array arr = c.createArrayOf("text", asked.toArray());
        try (PreparedStatement ps = c.prepareStatement("SELECT " + InstanceRows.INSTANCE_COLUMNS
                + " FROM instances i WHERE i.selector = ANY(?)")) {
            ps.setArray(1, arr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Raw raw = InstanceRows.raw(rs);
                    asked.remove(raw.selector());
                    raws.add(raw);
                }
            }
        }
        return new RegistrationChanges(records(c, raws), new ArrayList<>(asked));
    }

    /** A changed row with the time of its change, for the poll's watermark. */
    record Stamped<T>(T value, Instant at) {
    }

    /** Receives the rows of {@link #since} in chunks. */
    interface Chunks {
        void accept(List<Stamped<InstanceRecord>> changed, List<Stamped<String>> deleted);
    }

    /**
     * Everything in the shard's ranges changed or deleted after {@code from}, in chunks of
     * {@value #CHUNK}; run it in one REPEATABLE READ transaction so instances and tokens agree.
     */
    void since(Connection c, Instant from, Chunks out) throws SQLException {
        for (SelectorRange range : shard.ranges()) {
            String where = range.upper().isPresent() ? " AND i.selector >= ? AND i.selector < ?" : " AND i.selector >= ?";
            try (PreparedStatement ps = c.prepareStatement("SELECT " + InstanceRows.INSTANCE_COLUMNS
                    + ", i.changed_at FROM instances i WHERE i.changed_at > ?" + where + " ORDER BY i.changed_at")) {
                ps.setFetchSize(CHUNK * 4);
                ps.setObject(1, InstanceRows.ts(from));
                bind(ps, 2, range);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Raw> raws = new ArrayList<>(CHUNK);
                    Map<String, Instant> at = new HashMap<>();
                    while (rs.next()) {
                        Raw raw = InstanceRows.raw(rs);
                        raws.add(raw);
                        at.put(raw.selector(), InstanceRows.instant(rs, InstanceRows.INSTANCE_COLUMN_COUNT + 1));
                        if (raws.size() == CHUNK) {
                            out.accept(stamp(records(c, raws), at), List.of());
                            raws.clear();
                            at.clear();
                        }
                    }
                    if (!raws.isEmpty()) {
                        out.accept(stamp(records(c, raws), at), List.of());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT i.selector, i.deleted_at FROM instance_deletions i"
                    + " WHERE i.deleted_at > ?" + where
                    + " AND NOT EXISTS (SELECT 1 FROM instances n WHERE n.selector = i.selector)")) {
                ps.setFetchSize(CHUNK * 4);
                ps.setObject(1, InstanceRows.ts(from));
                bind(ps, 2, range);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Stamped<String>> deleted = new ArrayList<>(CHUNK);
                    while (rs.next()) {
                        deleted.add(new Stamped<>(rs.getString(1), InstanceRows.instant(rs, 2)));
                        if (deleted.size() == CHUNK) {
                            out.accept(List.of(), deleted);
                            deleted = new ArrayList<>(CHUNK);
                        }
                    }
                    if (!deleted.isEmpty()) {
                        out.accept(List.of(), deleted);
                    }
                }
            }
        }
    }

    private static List<Stamped<InstanceRecord>> stamp(List<InstanceRecord> records, Map<String, Instant> at) {
        List<Stamped<InstanceRecord>> out = new ArrayList<>(records.size());
        for (InstanceRecord r : records) {
            out.add(new Stamped<>(r, at.get(r.selector())));
        }
        return out;
    }

    /** Reads the tokens of the raw rows in one statement, opens the secrets and keeps the owned ones. */
    private List<InstanceRecord> records(Connection c, List<Raw> raws) throws SQLException {
        if (raws.isEmpty()) {
            return List.of();
        }
        Map<String, List<Positioned>> tokens = new HashMap<>();
        String[] sels = new String[raws.size()];
        for (int i = 0; i < sels.length; i++) {
            sels[i] = raws.get(i).selector();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + InstanceRows.TOKEN_COLUMNS
                + " FROM device_tokens WHERE selector = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", sels));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Positioned p = InstanceRows.token(rs);
                    tokens.computeIfAbsent(p.selector(), k -> new ArrayList<>(2)).add(p);
                }
            }
        }
        List<InstanceRecord> out = new ArrayList<>(raws.size());
        for (Raw raw : raws) {
            if (!shard.owns(raw.selector(), raw.appId())) {
                continue;
            }
            try {
                out.add(InstanceRows.withTokens(rows.record(raw, List.of()),
                        tokens.getOrDefault(raw.selector(), new ArrayList<>())));
            } catch (StoreException | IllegalArgumentException e) {
                LOG.error("Not applying the change of selector {}: {}", raw.selector(), e.getMessage());
            }
        }
        return out;
    }

    private static void bind(PreparedStatement ps, int from, SelectorRange range) throws SQLException {
        ps.setString(from, range.lower());
        if (range.upper().isPresent()) {
            ps.setString(from + 1, range.upper().get());
        }
    }
}
