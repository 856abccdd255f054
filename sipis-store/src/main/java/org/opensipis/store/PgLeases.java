package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.opensipis.core.shard.PrefixRanges;
import org.opensipis.core.shard.SelectorPrefix;

/**
 * The {@code shard_leases} table: who holds which selector prefix, with an epoch and an expiry
 * in the database's time. Blocking JDBC; call it from a lease thread, never from an owner.
 * Every change runs in one transaction that locks the table (a few dozen rows, changed every
 * few seconds), so that two processes never both take overlapping prefixes.
 */
public final class PgLeases {

    /** One row. {@code releasedTo} is set while the owner hands the prefix over to that process. */
    public record Lease(String prefix, String owner, long epoch, Instant expiresAt, Optional<String> releasedTo,
                        Optional<Instant> releasedAt) {
        public Lease {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(releasedTo, "releasedTo");
            Objects.requireNonNull(releasedAt, "releasedAt");
        }
    }

    /** The answer to {@link #take}: the new lease, or who is in the way. */
    public record Taken(Optional<Lease> lease, List<Lease> blockers) {
        public Taken {
            Objects.requireNonNull(lease, "lease");
            blockers = List.copyOf(blockers);
        }
    }

    private static final String COLUMNS = "prefix, owner, epoch, expires_at, released_to, released_at";
    private static final String OVERLAPS = "(upper_bound IS NULL OR upper_bound > ?) AND (?::text IS NULL OR lower_bound < ?)";

    private final DataSource ds;

    PgLeases(DataSource ds) {
        this.ds = ds;
    }

    /**
     * Takes {@code prefix} for {@code owner} with a new epoch, if every row overlapping it is
     * the owner's, has expired, or has been released to the owner; those rows are replaced by
     * the new one. Otherwise nothing changes and the rows in the way are returned.
     */
    public Taken take(String owner, SelectorPrefix prefix, Duration ttl) {
        return inTransaction(c -> {
            List<Lease> blockers = new ArrayList<>();
            List<String> replaced = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", expires_at < now() FROM shard_leases"
                    + " WHERE " + OVERLAPS)) {
                bindOverlap(ps, 1, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Lease l = lease(rs);
                        boolean expired = rs.getBoolean(7);
                        if (l.owner().equals(owner) || expired || l.releasedTo().map(owner::equals).orElse(false)) {
                            replaced.add(l.prefix());
                        } else {
                            blockers.add(l);
                        }
                    }
                }
            }
            if (!blockers.isEmpty()) {
                return new Taken(Optional.empty(), blockers);
            }
            delete(c, replaced);
            return new Taken(Optional.of(insert(c, owner, prefix, ttl, null)), List.of());
        });
    }

    /**
     * Renews every lease of {@code owner} named in {@code epochs} (prefix to the epoch the owner
     * holds) whose epoch still matches; returns the renewed rows. A held prefix missing from the
     * answer has been lost (taken by a gainer, or lapsed and taken by another process).
     */
    public Map<String, Lease> renew(String owner, Map<String, Long> epochs, Duration ttl) {
        if (epochs.isEmpty()) {
            return Map.of();
        }
        return inTransaction(c -> {
            Map<String, Lease> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE shard_leases SET expires_at = now() + ?::interval"
                    + " FROM unnest(?::text[], ?::bigint[]) AS h(prefix, epoch)"
                    + " WHERE shard_leases.prefix = h.prefix AND shard_leases.epoch = h.epoch AND owner = ?"
                    + " RETURNING shard_leases.prefix, owner, shard_leases.epoch, expires_at, released_to, released_at")) {
                ps.setString(1, ttl.toMillis() + " milliseconds");
                ps.setArray(2, c.createArrayOf("text", epochs.keySet().toArray()));
                ps.setArray(3, c.createArrayOf("bigint", epochs.values().toArray()));
                ps.setString(4, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Lease l = lease(rs);
                        out.put(l.prefix(), l);
                    }
                }
            }
            return out;
        });
    }

    /**
     * A reload of the owner's LB2 file: its held rows are replaced by {@code keep} (prefixes it
     * still owns) and by {@code release} (prefix to the process that gains it, still held by the
     * owner until that process takes it). Only parts of the selector space the owner holds now are
     * written; a prefix not covered by its current rows is left out (it is taken later, or was
     * never the owner's).
     *
     * @return the rows the owner holds afterwards, released ones included
     */
    public List<Lease> reshape(String owner, Collection<SelectorPrefix> keep, Map<SelectorPrefix, String> release,
                               Duration ttl) {
        return inTransaction(c -> {
            List<Lease> mine = new ArrayList<>();
            List<SelectorPrefix> held = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM shard_leases WHERE owner = ?"
                    + " AND expires_at > now()")) {
                ps.setString(1, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Lease l = lease(rs);
                        mine.add(l);
                        held.add(SelectorPrefix.parse(l.prefix()));
                    }
                }
            }
            List<Lease> after = new ArrayList<>();
            Map<SelectorPrefix, String> rows = new LinkedHashMap<>();
            for (SelectorPrefix p : keep) {
                if (PrefixRanges.covered(p, held)) {
                    rows.put(p, null);
                }
            }
            release.forEach((p, to) -> {
                if (PrefixRanges.covered(p, held)) {
                    rows.put(p, to);
                }
            });
            List<String> drop = new ArrayList<>();
            for (Lease l : mine) {
                drop.add(l.prefix());
            }
            delete(c, drop);
            // released rows keep what the gainer waits for; kept rows that did not change keep their epoch
            Map<String, Lease> old = new LinkedHashMap<>();
            mine.forEach(l -> old.put(l.prefix(), l));
            for (Map.Entry<SelectorPrefix, String> e : rows.entrySet()) {
                Lease before = old.get(e.getKey().toString());
                if (e.getValue() == null && before != null && before.releasedTo().isEmpty()) {
                    after.add(insertWithEpoch(c, owner, e.getKey(), ttl, before.epoch()));
                } else {
                    after.add(insert(c, owner, e.getKey(), ttl, e.getValue()));
                }
            }
            return after;
        });
    }

    /** Gives up {@code prefixes} at once (a clean stop), so that another process need not wait for them to lapse. */
    public void release(String owner, Collection<String> prefixes) {
        if (prefixes.isEmpty()) {
            return;
        }
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM shard_leases WHERE owner = ? AND prefix = ANY(?)")) {
                ps.setString(1, owner);
                ps.setArray(2, c.createArrayOf("text", prefixes.toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Rows that nobody renewed for {@code after} past their expiry and that are not being handed
     * over: the prefixes of a process that is gone (a standby may take them).
     */
    public List<Lease> lapsedFor(Duration after) {
        return read(c -> {
            List<Lease> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM shard_leases"
                    + " WHERE released_to IS NULL AND expires_at < now() - ?::interval ORDER BY prefix")) {
                ps.setString(1, after.toMillis() + " milliseconds");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(lease(rs));
                    }
                }
            }
            return out;
        });
    }

    /** Every row, by prefix (the control page, tests). */
    public List<Lease> all() {
        return read(c -> {
            List<Lease> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + COLUMNS
                    + " FROM shard_leases ORDER BY prefix")) {
                while (rs.next()) {
                    out.add(lease(rs));
                }
            }
            return out;
        });
    }

    /**
     * The selectors of {@code prefix} that {@code gainer} has registered (state REGISTERED,
     * binding not expired) since {@code since} (database time): the hand-over of those is done
     * and the loser may remove its own binding. In the order of the gainer's 200s, so that the
     * loser's removals, paced by its throttle, follow them and every instance's overlap is alike.
     */
    public List<String> registeredBy(String gainer, SelectorPrefix prefix, Instant since) {
        return read(c -> {
            List<String> out = new ArrayList<>();
            String where = prefix.upperBound().isPresent() ? "selector >= ? AND selector < ?" : "selector >= ?";
            try (PreparedStatement ps = c.prepareStatement("SELECT selector FROM instance_states WHERE server_name = ?"
                    + " AND state = 'REGISTERED' AND registered_until > now() AND changed_at >= ? AND " + where
                    + " ORDER BY changed_at")) {
                ps.setString(1, gainer);
                ps.setObject(2, InstanceRows.ts(since));
                ps.setString(3, prefix.lowerBound());
                if (prefix.upperBound().isPresent()) {
                    ps.setString(4, prefix.upperBound().get());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Claims the push of one forked call for {@code owner}: the first process to claim
     * {@code callKey} pushes. Returns the process that holds the claim (ours when we won, or when
     * we had claimed it before: a retransmission). One statement plus, when we lost, one read.
     */
    public String claimPush(String callKey, String owner) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_claims (call_key, owner) VALUES (?, ?)"
                    + " ON CONFLICT (call_key) DO NOTHING")) {
                ps.setString(1, callKey);
                ps.setString(2, owner);
                if (ps.executeUpdate() == 1) {
                    return owner;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT owner FROM push_claims WHERE call_key = ?")) {
                ps.setString(1, callKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : owner;
                }
            }
        });
    }

    /**
     * Records where this process receives SIP ({@code host:port} from its own settings): its
     * peers forward handed-over calls there and check the sender of one against it.
     */
    public void announceSipAddress(String name, String hostPort) {
        read(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO process_sip_addresses (name, sip_address)"
                    + " VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET sip_address = excluded.sip_address,"
                    + " updated_at = now()")) {
                ps.setString(1, name);
                ps.setString(2, hostPort);
                return ps.executeUpdate();
            }
        });
    }

    /** The SIP address ({@code host:port}) the named process announced, if any. */
    public java.util.Optional<String> sipAddressOf(String name) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT sip_address FROM process_sip_addresses WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.<String>empty();
                }
            }
        });
    }

    /** Deletes push claims older than {@code age} (database time); returns how many. */
    public int forgetPushClaims(Duration age) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_claims WHERE claimed_at < now() - ?::interval")) {
                ps.setString(1, age.toMillis() + " milliseconds");
                return ps.executeUpdate();
            }
        });
    }

    private static Lease insert(Connection c, String owner, SelectorPrefix p, Duration ttl, String releasedTo)
            throws SQLException {
        return insertWithEpoch(c, owner, p, ttl, -1, releasedTo);
    }

    private static Lease insertWithEpoch(Connection c, String owner, SelectorPrefix p, Duration ttl, long epoch)
            throws SQLException {
        return insertWithEpoch(c, owner, p, ttl, epoch, null);
    }

    private static Lease insertWithEpoch(Connection c, String owner, SelectorPrefix p, Duration ttl, long epoch,
                                         String releasedTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO shard_leases (prefix, lower_bound, upper_bound,"
                + " owner, epoch, expires_at, released_to, released_at) VALUES (?, ?, ?, ?,"
                + " CASE WHEN ? < 0 THEN nextval('shard_lease_epochs') ELSE ? END, now() + ?::interval, ?,"
                + " CASE WHEN ?::text IS NULL THEN NULL ELSE now() END) RETURNING " + COLUMNS)) {
            ps.setString(1, p.toString());
            ps.setString(2, PrefixRanges.lower(p));
            ps.setString(3, PrefixRanges.upper(p).orElse(null));
            ps.setString(4, owner);
            ps.setLong(5, epoch);
            ps.setLong(6, epoch);
            ps.setString(7, ttl.toMillis() + " milliseconds");
            ps.setString(8, releasedTo);
            ps.setString(9, releasedTo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return lease(rs);
            }
        }
    }

    private static void delete(Connection c, List<String> prefixes) throws SQLException {
        if (prefixes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM shard_leases WHERE prefix = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", prefixes.toArray()));
            ps.executeUpdate();
        }
    }

    private static void bindOverlap(PreparedStatement ps, int from, SelectorPrefix p) throws SQLException {
        ps.setString(from, PrefixRanges.lower(p));
        String upper = PrefixRanges.upper(p).orElse(null);
        ps.setString(from + 1, upper);
        ps.setString(from + 2, upper);
    }

    private static Lease lease(ResultSet rs) throws SQLException {
        OffsetDateTime releasedAt = rs.getObject(6, OffsetDateTime.class);
        return new Lease(rs.getString(1), rs.getString(2), rs.getLong(3), InstanceRows.instant(rs, 4),
                Optional.ofNullable(rs.getString(5)), Optional.ofNullable(releasedAt).map(OffsetDateTime::toInstant));
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("shard leases: " + Failures.describe(e), e);
        }
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("LOCK TABLE shard_leases IN SHARE ROW EXCLUSIVE MODE");
                }
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("shard leases: " + Failures.describe(e), e);
        }
    }
}
