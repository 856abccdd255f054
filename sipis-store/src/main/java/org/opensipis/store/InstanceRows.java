package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.crypto.SealedDataException;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;

/** SQL and row mapping for instances and their device tokens. Stateless; callers own connections. */
final class InstanceRows {

    static final String CHANNEL = "sipis_instances";

    /** Columns of {@code instances i}, in the order {@link #record} reads them. */
    static final String INSTANCE_COLUMNS = "i.selector, i.app_id, i.premium, i.last_app_contact, i.app_foreground, "
            + "i.app_secret_sealed, i.sip_user, i.sip_auth_user, i.sip_password_sealed, i.sip_domain, i.sip_proxy, "
            + "i.sip_port, i.sip_transport, i.sip_display_name, i.sip_expires_seconds";
    static final int INSTANCE_COLUMN_COUNT = 15;

    /** Columns of {@code instance_states s}, read by {@link #state} after the instance columns. */
    static final String STATE_COLUMNS = "s.server_name, s.state, s.reason, s.registered_until, s.contact, s.call_id, "
            + "s.cseq, s.changed_at";

    static final String TOKEN_COLUMNS = "selector, platform, kind, app_id, token, last_seen, position";

    private static final String UPSERT = "INSERT INTO instances (selector, app_id, premium, last_app_contact, "
            + "app_foreground, app_secret_sealed, sip_user, sip_auth_user, sip_password_sealed, sip_domain, sip_proxy, "
            + "sip_port, sip_transport, sip_display_name, sip_expires_seconds, changed_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, clock_timestamp()) "
            + "ON CONFLICT (selector) DO UPDATE SET app_id = EXCLUDED.app_id, premium = EXCLUDED.premium, "
            + "last_app_contact = EXCLUDED.last_app_contact, app_foreground = EXCLUDED.app_foreground, "
            + "app_secret_sealed = EXCLUDED.app_secret_sealed, sip_user = EXCLUDED.sip_user, "
            + "sip_auth_user = EXCLUDED.sip_auth_user, sip_password_sealed = EXCLUDED.sip_password_sealed, "
            + "sip_domain = EXCLUDED.sip_domain, sip_proxy = EXCLUDED.sip_proxy, sip_port = EXCLUDED.sip_port, "
            + "sip_transport = EXCLUDED.sip_transport, sip_display_name = EXCLUDED.sip_display_name, "
            + "sip_expires_seconds = EXCLUDED.sip_expires_seconds, changed_at = clock_timestamp()";

    private final SipisKey key;

    InstanceRows(SipisKey key) {
        this.key = key;
    }

    /** Stores the record and its tokens and notifies listeners, in the caller's transaction. */
    void save(Connection c, InstanceRecord r) throws SQLException {
        String sel = r.selector();
        SipAccount a = r.account();
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            ps.setString(1, sel);
            ps.setString(2, r.appId());
            ps.setBoolean(3, r.premium());
            ps.setObject(4, ts(r.lastAppContact()));
            ps.setBoolean(5, r.appForeground());
            ps.setString(6, key.seal(r.appSecret().reveal(), Sealing.appSecret(sel)));
            ps.setString(7, a.user());
            ps.setString(8, a.authUser());
            ps.setString(9, key.seal(a.password().reveal(), Sealing.sipPassword(sel)));
            ps.setString(10, a.domain());
            ps.setString(11, a.proxy().orElse(null));
            ps.setInt(12, a.port());
            ps.setString(13, a.transport().name());
            ps.setString(14, a.displayName());
            if (a.expires().isPresent()) {
                ps.setInt(15, (int) Math.max(1, Math.min(Integer.MAX_VALUE, a.expires().get().toSeconds())));
            } else {
                ps.setNull(15, Types.INTEGER);
            }
            ps.executeUpdate();
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM device_tokens WHERE selector = ?")) {
            del.setString(1, sel);
            del.executeUpdate();
        }
        if (!r.tokens().isEmpty()) {
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO device_tokens (" + TOKEN_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (selector, kind, token) DO UPDATE SET "
                    + "platform = EXCLUDED.platform, app_id = EXCLUDED.app_id, last_seen = EXCLUDED.last_seen")) {
                short position = 0;
                for (DeviceToken t : r.tokens()) {
                    ins.setString(1, sel);
                    ins.setString(2, t.platform().name());
                    ins.setString(3, t.kind().name());
                    ins.setString(4, t.appId());
                    ins.setString(5, t.token());
                    ins.setObject(6, ts(t.lastSeen()));
                    ins.setShort(7, position++);
                    ins.addBatch();
                }
                ins.executeBatch();
            }
        }
        notify(c, sel);
    }

    static void notify(Connection c, String selector) throws SQLException {
        try (PreparedStatement n = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            n.setString(1, selector);
            n.execute();
        }
    }

    Optional<InstanceRecord> find(Connection c, String selector) throws SQLException {
        InstanceRecord base;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + INSTANCE_COLUMNS + " FROM instances i WHERE i.selector = ?")) {
            ps.setString(1, selector);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                base = record(rs, List.of());
            }
        }
        List<Positioned> tokens = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + TOKEN_COLUMNS + " FROM device_tokens WHERE selector = ?")) {
            ps.setString(1, selector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tokens.add(token(rs));
                }
            }
        }
        return Optional.of(withTokens(base, tokens));
    }

    /** Reads the instance columns at the start of the row; secrets are opened with the key. */
    InstanceRecord record(ResultSet rs, List<DeviceToken> tokens) throws SQLException {
        String sel = rs.getString(1);
        Integer expires = (Integer) rs.getObject(15);
        try {
            SipAccount account = new SipAccount(rs.getString(7), rs.getString(8),
                    Secret.of(key.openString(rs.getString(9), Sealing.sipPassword(sel))), rs.getString(10),
                    Optional.ofNullable(rs.getString(11)), rs.getInt(12), SipAccount.Transport.valueOf(rs.getString(13)),
                    rs.getString(14), Optional.ofNullable(expires).map(Duration::ofSeconds));
            return new InstanceRecord(sel, rs.getString(2), rs.getBoolean(3), account,
                    Secret.of(key.openString(rs.getString(6), Sealing.appSecret(sel))), tokens, instant(rs, 4),
                    rs.getBoolean(5));
        } catch (SealedDataException e) {
            throw new StoreException("selector " + sel + ": stored secret does not open: " + e.getMessage(), e);
        }
    }

    /** Reads the state columns starting at {@code from}; empty when the LEFT JOIN found none. */
    static Optional<InstanceState> state(ResultSet rs, String selector, int from) throws SQLException {
        String server = rs.getString(from);
        if (server == null) {
            return Optional.empty();
        }
        OffsetDateTime until = rs.getObject(from + 3, OffsetDateTime.class);
        return Optional.of(new InstanceState(selector, server, RegistrationState.valueOf(rs.getString(from + 1)),
                rs.getString(from + 2), Optional.ofNullable(until).map(OffsetDateTime::toInstant),
                Optional.ofNullable(rs.getString(from + 4)), rs.getString(from + 5), rs.getLong(from + 6),
                instant(rs, from + 7)));
    }

    /** A token row with its stored position (tokens keep the order the app gave). */
    record Positioned(String selector, int position, DeviceToken token) {
    }

    static Positioned token(ResultSet rs) throws SQLException {
        return new Positioned(rs.getString(1), rs.getShort(7), new DeviceToken(
                DeviceToken.Platform.valueOf(rs.getString(2)), DeviceToken.Kind.valueOf(rs.getString(3)),
                rs.getString(4), rs.getString(5), instant(rs, 6)));
    }

    static InstanceRecord withTokens(InstanceRecord r, List<Positioned> tokens) {
        if (tokens.isEmpty()) {
            return r;
        }
        tokens.sort(java.util.Comparator.comparingInt(Positioned::position));
        List<DeviceToken> list = new ArrayList<>(tokens.size());
        for (Positioned p : tokens) {
            list.add(p.token());
        }
        return new InstanceRecord(r.selector(), r.appId(), r.premium(), r.account(), r.appSecret(), list,
                r.lastAppContact(), r.appForeground());
    }

    static OffsetDateTime ts(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
