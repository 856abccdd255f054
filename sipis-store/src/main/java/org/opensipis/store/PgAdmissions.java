package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.abuse.Admission;
import org.opensipis.core.abuse.AdmissionStore;
import org.opensipis.core.abuse.Origin;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.shard.Selector;

/**
 * {@link AdmissionStore} on PostgreSQL. The quota check and the insert run in one transaction
 * that first takes transaction-scoped advisory locks on the registrar and on the SIP user (in
 * that order, so two transactions never wait on each other in a cycle): registrations of the
 * same registrar or user are serialised across every process sharing the database, and the
 * count they see is the committed one. Instances registered before are excluded, so an app
 * re-registering never hits its own quota.
 */
final class PgAdmissions implements AdmissionStore {

    /** Advisory lock namespaces (the first key of pg_advisory_xact_lock(int, int)). */
    private static final int REGISTRAR_LOCK = 0x51505201;
    private static final int USER_LOCK = 0x51505202;

    static final String REGISTRAR = "lower(coalesce(sip_proxy, sip_domain))";
    static final String USER = "lower(sip_user || '@' || sip_domain)";

    private static final String AUDIT = "UPDATE instances SET registered_from = ?, registered_app_id = ?, "
            + "registered_at = ?, created_from = CASE WHEN ? THEN ? ELSE created_from END, "
            + "created_app_id = CASE WHEN ? THEN ? ELSE created_app_id END WHERE selector = ?";

    private final StoreIo io;
    private final InstanceRows rows;

    PgAdmissions(StoreIo io, InstanceRows rows) {
        this.io = io;
        this.rows = rows;
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
        String registrar = AdmissionStore.registrarKey(r);
        String user = AdmissionStore.userKey(r);
        return io.tx("saving the registration of selector " + sel, c -> {
            if (quotas.perRegistrar() > 0) {
                lock(c, REGISTRAR_LOCK, registrar);
            }
            if (quotas.perUser() > 0) {
                lock(c, USER_LOCK, user);
            }
            if (quotas.perRegistrar() > 0 && count(c, REGISTRAR, registrar, sel, quotas.perRegistrar()) >= quotas.perRegistrar()) {
                return Admission.refused(Admission.Outcome.REGISTRAR_QUOTA, registrar, quotas.perRegistrar());
            }
            if (quotas.perUser() > 0 && count(c, USER, user, sel, quotas.perUser()) >= quotas.perUser()) {
                return Admission.refused(Admission.Outcome.USER_QUOTA, user, quotas.perUser());
            }
            boolean existed;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM instances WHERE selector = ?")) {
                ps.setString(1, sel);
                try (ResultSet rs = ps.executeQuery()) {
                    existed = rs.next();
                }
            }
            rows.save(c, r);
            try (PreparedStatement ps = c.prepareStatement(AUDIT)) {
                ps.setString(1, origin.source());
                ps.setString(2, origin.appId());
                ps.setObject(3, InstanceRows.ts(origin.at()));
                ps.setBoolean(4, !existed);
                ps.setString(5, origin.source());
                ps.setBoolean(6, !existed);
                ps.setString(7, origin.appId());
                ps.setString(8, sel);
                ps.executeUpdate();
            }
            return Admission.stored(!existed);
        });
    }

    private static void lock(Connection c, int namespace, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            ps.setInt(1, namespace);
            ps.setString(2, key);
            ps.execute();
        }
    }

    /** Instances other than {@code selector} with this key, counted up to {@code limit}. */
    private static long count(Connection c, String expression, String key, String selector, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM (SELECT 1 FROM instances WHERE "
                + expression + " = ? AND selector <> ? LIMIT ?) s")) {
            ps.setString(1, key);
            ps.setString(2, selector);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
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
