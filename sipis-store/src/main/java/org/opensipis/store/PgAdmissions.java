package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.abuse.Admission;
import org.opensipis.core.abuse.AdmissionStore;
import org.opensipis.core.abuse.Origin;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.shard.Selector;

/**
 * {@link AdmissionStore} on PostgreSQL. Waiting registrations are admitted in groups (through
 * {@link StoreIo#batched}): one transaction takes transaction-scoped advisory locks on every
 * registrar and SIP user of the group in one statement, in a fixed order (namespace, then
 * hash), so two groups never wait on each other in a cycle; counts every key with one grouped
 * query; decides each registration in arrival order as if they had come one by one; stores the
 * admitted ones with one set-based statement and records their origins with one more. The
 * commit is shared; NOTIFY follows it ({@link StoreIo#notifyLater}).
 *
 * <p>A user key, and a registrar key whose count is near its quota, is locked exclusively, so
 * registrations of the same user or registrar are serialised across every process sharing the
 * database and the count they see is the committed one. A registrar far below its quota is
 * locked shared, so groups of a large registrar commit concurrently: that is exact because at
 * most {@code max_connections} transactions run at once, each adding at most
 * {@value StoreIo#BATCH} instances, so a shared holder admits only while the committed count
 * plus its own additions plus {@code max_connections × BATCH} stays within the quota. When it
 * does not, the locks are released (the group runs first in its transaction, so it rolls it
 * back) and taken again in order with that registrar exclusive, for good. Instances registered before are excluded from the count, so an
 * app re-registering never hits its own quota.
 */
final class PgAdmissions implements AdmissionStore {

    /** Advisory lock namespaces (the first key of pg_advisory_xact_lock(int, int)). */
    private static final int REGISTRAR_LOCK = 0x51505201;
    private static final int USER_LOCK = 0x51505202;

    static final String REGISTRAR = "lower(coalesce(sip_proxy, sip_domain))";
    static final String USER = "lower(sip_user || '@' || sip_domain)";

    /** One registration waiting for admission; {@code stored} is set inside the transaction. */
    private static final class Ask {
        final InstanceRecord record;
        final InstanceRows.Sealed sealed;
        final Origin origin;
        final Quotas quotas;
        boolean stored;

        Ask(InstanceRows.Sealed sealed, Origin origin, Quotas quotas) {
            this.record = sealed.record();
            this.sealed = sealed;
            this.origin = origin;
            this.quotas = quotas;
        }
    }

    private final StoreIo io;
    private final InstanceRows rows;
    private final GrowthStatistics statistics;
    private final ResultGroup<Ask, Admission> group = new ResultGroup<>() {
        @Override
        public List<Admission> run(Connection c, List<Ask> items) throws SQLException {
            return admitAll(c, items, false);
        }

        @Override
        public List<Admission> run(Connection c, List<Ask> items, boolean last) throws SQLException {
            return admitAll(c, items, last);
        }

        @Override
        public void afterCommit(List<Ask> items) {
            List<String> stored = items.stream().filter(a -> a.stored).map(a -> a.record.selector()).distinct().toList();
            if (!stored.isEmpty()) {
                io.notifyLater(stored);
                statistics.added(stored.size());
            }
        }

        @Override
        public boolean locksFirst() {
            return true;
        }
    };
    /** Registrar keys found near their quota: locked exclusively from then on. */
    private final Set<String> nearQuota = ConcurrentHashMap.newKeySet();
    private volatile int maxConnections;

    PgAdmissions(StoreIo io, InstanceRows rows) {
        this.io = io;
        this.rows = rows;
        this.statistics = new GrowthStatistics(io);
    }

    @Override
    public CompletableFuture<Admission> admit(InstanceRecord record, Origin origin, Quotas quotas) {
        String sel;
        try {
            sel = Selector.normalise(record.selector());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        InstanceRecord r = sel.equals(record.selector()) ? record : new InstanceRecord(sel, record.appId(),
                record.premium(), record.account(), record.appSecret(), record.tokens(), record.lastAppContact(),
                record.appForeground());
        InstanceRows.Sealed sealed;
        try {
            sealed = rows.seal(r);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return io.batched("saving the registration of selector " + sel, new Ask(sealed, origin, quotas), group);
    }

    private List<Admission> admitAll(Connection c, List<Ask> asks, boolean last) throws SQLException {
        // the smallest and the largest quota asked for each key (one process asks one quota)
        Map<String, int[]> registrars = new HashMap<>();
        Map<String, int[]> users = new HashMap<>();
        Map<String, Set<String>> wanting = new HashMap<>();
        for (Ask a : asks) {
            if (a.quotas.perRegistrar() > 0) {
                quota(registrars, AdmissionStore.registrarKey(a.record), a.quotas.perRegistrar());
                wanting.computeIfAbsent(AdmissionStore.registrarKey(a.record), k -> new HashSet<>()).add(a.record.selector());
            }
            if (a.quotas.perUser() > 0) {
                quota(users, AdmissionStore.userKey(a.record), a.quotas.perUser());
            }
        }
        long margin = (long) maxConnections(c) * StoreIo.BATCH;
        String[] sels = asks.stream().map(a -> a.record.selector()).distinct().toArray(String[]::new);
        Map<String, Long> regCount = new HashMap<>();
        Map<String, Long> userCount = new HashMap<>();
        Map<String, String[]> current = new HashMap<>();
        Set<String> shared = new HashSet<>();
        for (Map.Entry<String, int[]> e : registrars.entrySet()) {
            if (e.getValue()[0] > margin + StoreIo.BATCH && !nearQuota.contains(e.getKey())) {
                shared.add(e.getKey());
            }
        }
        while (true) {
            lockAndCount(c, registrars.keySet(), users.keySet(), shared, registrars, users, sels, regCount, userCount, current);
            Set<String> near = new HashSet<>();
            for (String k : shared) {
                if (regCount.get(k) + wanting.get(k).size() + margin > registrars.get(k)[0]) {
                    nearQuota.add(k);
                    near.add(k);
                }
            }
            if (near.isEmpty()) {
                break;
            }
            // near the quota: release every lock (nothing else was done in this transaction, the
            // group runs first in it) and take them again, that registrar exclusive, in order;
            // upgrading in place would deadlock with another group doing the same
            c.rollback();
            shared.removeAll(near);
        }
        // decide in arrival order, as if one by one: who of the group holds each key right now
        Map<String, Set<String>> holdingReg = new HashMap<>();
        Map<String, Set<String>> holdingUser = new HashMap<>();
        for (Map.Entry<String, String[]> e : current.entrySet()) {
            holdingReg.computeIfAbsent(e.getValue()[0], k -> new HashSet<>()).add(e.getKey());
            holdingUser.computeIfAbsent(e.getValue()[1], k -> new HashSet<>()).add(e.getKey());
        }
        List<Admission> out = new ArrayList<>(asks.size());
        List<InstanceRows.Sealed> save = new ArrayList<>(asks.size());
        Map<String, InstanceRows.Audit> audit = new HashMap<>();
        for (Ask a : asks) {
            InstanceRecord r = a.record;
            String sel = r.selector();
            String reg = AdmissionStore.registrarKey(r);
            String user = AdmissionStore.userKey(r);
            int qr = a.quotas.perRegistrar();
            int qu = a.quotas.perUser();
            if (qr > 0 && regCount.get(reg) + others(holdingReg, reg, sel) >= qr) {
                out.add(Admission.refused(Admission.Outcome.REGISTRAR_QUOTA, reg, qr));
                continue;
            }
            if (qu > 0 && userCount.get(user) + others(holdingUser, user, sel) >= qu) {
                out.add(Admission.refused(Admission.Outcome.USER_QUOTA, user, qu));
                continue;
            }
            String[] was = current.get(sel);
            if (was != null) {
                holdingReg.get(was[0]).remove(sel);
                holdingUser.get(was[1]).remove(sel);
            }
            current.put(sel, new String[] {reg, user});
            holdingReg.computeIfAbsent(reg, k -> new HashSet<>()).add(sel);
            holdingUser.computeIfAbsent(user, k -> new HashSet<>()).add(sel);
            boolean created = was == null;
            InstanceRows.Audit before = audit.get(sel);
            audit.put(sel, new InstanceRows.Audit(a.origin, before != null ? before.created() : created ? a.origin : null));
            a.stored = true;
            save.add(a.sealed);
            out.add(Admission.stored(created));
        }
        if (!save.isEmpty()) {
            rows.saveAll(c, save, audit, last);   // with the audit columns: one statement (and the commit)
        }
        return out;
    }

    private static void quota(Map<String, int[]> keys, String key, int quota) {
        int[] q = keys.computeIfAbsent(key, k -> new int[] {quota, quota});
        q[0] = Math.min(q[0], quota);
        q[1] = Math.max(q[1], quota);
    }

    private static int others(Map<String, Set<String>> holding, String key, String selector) {
        Set<String> s = holding.get(key);
        return s == null ? 0 : s.size() - (s.contains(selector) ? 1 : 0);
    }

    /**
     * One round trip ({@code sipis_admission_counts}, V6): takes the locks, then per registrar
     * and per user key counts the stored instances other than the group's selectors (up to the
     * key's largest quota), and reads the keys of the group's selectors that are stored.
     */
    private static void lockAndCount(Connection c, Set<String> lockRegistrars, Set<String> lockUsers, Set<String> shared,
                                     Map<String, int[]> registrars, Map<String, int[]> users, String[] selectors,
                                     Map<String, Long> regCount, Map<String, Long> userCount, Map<String, String[]> current)
            throws SQLException {
        regCount.clear();
        userCount.clear();
        current.clear();
        int n = lockRegistrars.size() + lockUsers.size();
        Integer[] ns = new Integer[n];
        String[] keys = new String[n];
        Boolean[] isShared = new Boolean[n];
        int i = 0;
        for (String k : lockRegistrars) {
            ns[i] = REGISTRAR_LOCK;
            keys[i] = k;
            isShared[i++] = shared.contains(k);
        }
        for (String k : lockUsers) {
            ns[i] = USER_LOCK;
            keys[i] = k;
            isShared[i++] = false;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM sipis_admission_counts(?::int[], ?::text[], "
                + "?::boolean[], ?::text[], ?::int[], ?::text[], ?::int[], ?::text[])")) {
            ps.setArray(1, c.createArrayOf("int4", ns));
            ps.setArray(2, c.createArrayOf("text", keys));
            ps.setArray(3, c.createArrayOf("bool", isShared));
            int p = 4;
            for (Map<String, int[]> m : List.of(registrars, users)) {
                String[] k = new String[m.size()];
                Integer[] lim = new Integer[m.size()];
                int j = 0;
                for (Map.Entry<String, int[]> e : m.entrySet()) {
                    k[j] = e.getKey();
                    lim[j++] = e.getValue()[1];
                }
                ps.setArray(p++, c.createArrayOf("text", k));
                ps.setArray(p++, c.createArrayOf("int4", lim));
            }
            ps.setArray(p, c.createArrayOf("text", selectors));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getInt(1)) {
                        case 0 -> regCount.put(rs.getString(2), rs.getLong(5));
                        case 1 -> userCount.put(rs.getString(2), rs.getLong(5));
                        default -> current.put(rs.getString(2), new String[] {rs.getString(3), rs.getString(4)});
                    }
                }
            }
        }
    }

    private int maxConnections(Connection c) throws SQLException {
        int m = maxConnections;
        if (m == 0) {
            try (PreparedStatement ps = c.prepareStatement("SELECT current_setting('max_connections')::int");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                m = rs.getInt(1);
                maxConnections = m;
            }
        }
        return m;
    }

    @Override
    public CompletableFuture<Map<String, Origins>> origins(Collection<String> selectors) {
        String[] sels = selectors.toArray(String[]::new);
        return io.tx("reading who registered " + sels.length + " instance(s)", c -> {
            Map<String, Origins> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT selector, created_from, created_app_id, created_at, "
                    + "registered_from, registered_app_id, registered_at FROM instances "
                    + "WHERE selector = ANY (?) AND registered_from IS NOT NULL")) {
                ps.setArray(1, c.createArrayOf("text", sels));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Origin latest = origin(rs.getString(5), rs.getString(6), at(rs, 7));
                        Origin created = rs.getString(2) == null
                                ? new Origin("(before the audit)", Optional.empty(), at(rs, 4), "")
                                : origin(rs.getString(2), rs.getString(3), at(rs, 4));
                        out.put(rs.getString(1), new Origins(created, latest));
                    }
                }
            }
            return out;
        });
    }

    private static Instant at(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** Reads back {@link Origin#source()}: {@code address} or {@code address via proxy}. */
    private static Origin origin(String source, String appId, Instant at) {
        int via = source.indexOf(" via ");
        return via < 0 ? new Origin(source, Optional.empty(), at, appId == null ? "" : appId)
                : new Origin(source.substring(0, via), Optional.of(source.substring(via + 5)), at,
                        appId == null ? "" : appId);
    }
}
