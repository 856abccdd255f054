package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.abuse.Origin;
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

    /**
     * One statement stores a whole group of instances (passed as arrays, one element per
     * instance), replaces their token sets and drops tombstones of earlier deletes (the caller
     * notifies after the commit, {@link #notifyAfterCommit}): tokens no longer given are deleted, given ones are upserted (the two sets are
     * disjoint, so the sub-statements never touch the same row). The cost per registration is
     * then one row's work, not one statement's planning, execution and round trip.
     */
    private static final String SAVE = "WITH r AS (SELECT * FROM unnest(?::text[], ?::text[], ?::boolean[], ?::text[], "
            + "?::boolean[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], "
            + "?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS r(selector, app_id, premium, "
            + "lac, fg, app_secret, sip_user, auth_user, pw, domain, proxy, port, transport, display, expires, rfrom, rapp, "
            + "rat, cfrom, capp)), "
            + "i AS (INSERT INTO instances (selector, app_id, premium, last_app_contact, "
            + "app_foreground, app_secret_sealed, sip_user, sip_auth_user, sip_password_sealed, sip_domain, sip_proxy, "
            + "sip_port, sip_transport, sip_display_name, sip_expires_seconds, changed_at, registered_from, "
            + "registered_app_id, registered_at, created_from, created_app_id) "
            + "SELECT selector, app_id, premium, lac::timestamptz, fg, app_secret, sip_user, auth_user, pw, domain, proxy, "
            + "port, transport, display, expires, clock_timestamp(), rfrom, rapp, rat::timestamptz, cfrom, capp FROM r "
            + "ON CONFLICT (selector) DO UPDATE SET app_id = EXCLUDED.app_id, premium = EXCLUDED.premium, "
            + "last_app_contact = EXCLUDED.last_app_contact, app_foreground = EXCLUDED.app_foreground, "
            + "app_secret_sealed = EXCLUDED.app_secret_sealed, sip_user = EXCLUDED.sip_user, "
            + "sip_auth_user = EXCLUDED.sip_auth_user, sip_password_sealed = EXCLUDED.sip_password_sealed, "
            + "sip_domain = EXCLUDED.sip_domain, sip_proxy = EXCLUDED.sip_proxy, sip_port = EXCLUDED.sip_port, "
            + "sip_transport = EXCLUDED.sip_transport, sip_display_name = EXCLUDED.sip_display_name, "
            + "sip_expires_seconds = EXCLUDED.sip_expires_seconds, changed_at = clock_timestamp(), "
            // the audit of an admitted registration; a plain save (refresh, tokens) keeps it
            + "registered_from = coalesce(EXCLUDED.registered_from, instances.registered_from), "
            + "registered_app_id = CASE WHEN EXCLUDED.registered_from IS NULL THEN instances.registered_app_id "
            + "ELSE EXCLUDED.registered_app_id END, registered_at = CASE WHEN EXCLUDED.registered_from IS NULL "
            + "THEN instances.registered_at ELSE EXCLUDED.registered_at END "
            + "RETURNING selector), "
            + "given AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
            + "?::smallint[]) AS g(sel, p, k, a, tok, ls, pos)), "
            // "= ANY (ARRAY(SELECT ...))" rather than a join with r: the generic plan of a join
            // estimates r at 10 rows and hash-joins it with a sequential scan of the whole table,
            // so every save read every stored token; the array keeps both deletes on the index
            + "d AS (DELETE FROM device_tokens t WHERE t.selector = ANY (ARRAY(SELECT selector FROM r)) "
            + "AND NOT EXISTS (SELECT 1 FROM given g WHERE g.sel = t.selector AND g.k = t.kind AND g.tok = t.token)), "
            + "tomb AS (DELETE FROM instance_deletions x WHERE x.selector = ANY (ARRAY(SELECT selector FROM r))) "
            + "INSERT INTO device_tokens (selector, platform, kind, app_id, token, last_seen, position) "
            + "SELECT g.sel, g.p, g.k, g.a, g.tok, g.ls::timestamptz, g.pos FROM given g "
            + "ON CONFLICT (selector, kind, token) DO UPDATE SET platform = EXCLUDED.platform, "
            + "app_id = EXCLUDED.app_id, last_seen = EXCLUDED.last_seen, position = EXCLUDED.position";

    private final SipisKey key;

    InstanceRows(SipisKey key) {
        this.key = key;
    }

    /**
     * Stores the records, in one statement in the caller's transaction (without NOTIFY). A selector
     * given twice keeps its last record (as if saved one after the other); rows are written in
     * selector order, so two concurrent groups lock them in the same order.
     */
    void saveAll(Connection c, List<InstanceRecord> records) throws SQLException {
        saveAll(c, records.stream().map(this::seal).toList(), java.util.Map.of());
    }

    /**
     * A record with its secrets sealed. Sealing (AES-GCM, a nonce from the system's random) is
     * done by the caller before the record waits for its group, so the store's one group in
     * flight does not spend its time on it.
     */
    record Sealed(InstanceRecord record, String appSecret, String password) {
    }

    Sealed seal(InstanceRecord r) {
        String s = r.selector();
        return new Sealed(r, key.seal(r.appSecret().reveal(), Sealing.appSecret(s)),
                key.seal(r.account().password().reveal(), Sealing.sipPassword(s)));
    }

    /**
     * The latest origin of an admitted registration, and its first origin if it creates the
     * instance (kept only when the row is new).
     */
    record Audit(Origin latest, Origin created) {
    }

    /** Like {@link #saveAll(Connection, List)}, also recording the origins of admitted registrations. */
    void saveAll(Connection c, List<Sealed> records, java.util.Map<String, Audit> audits) throws SQLException {
        saveAll(c, records, audits, false);
    }

    /**
     * Like {@link #saveAll(Connection, List, java.util.Map)}; with {@code commit} the statement
     * also commits the caller's transaction, in the same round trip (the driver sends both
     * statements before it waits; if the save fails, PostgreSQL skips the COMMIT and the caller
     * rolls back as usual).
     */
    void saveAll(Connection c, List<Sealed> records, java.util.Map<String, Audit> audits, boolean commit)
            throws SQLException {
        java.util.TreeMap<String, Sealed> bySelector = new java.util.TreeMap<>();
        for (Sealed r : records) {
            bySelector.put(r.record().selector(), r);
        }
        int n = bySelector.size();
        String[] sel = new String[n];
        String[] appId = new String[n];
        Boolean[] premium = new Boolean[n];
        String[] lac = new String[n];
        Boolean[] fg = new Boolean[n];
        String[] appSecret = new String[n];
        String[] user = new String[n];
        String[] authUser = new String[n];
        String[] pw = new String[n];
        String[] domain = new String[n];
        String[] proxy = new String[n];
        Integer[] port = new Integer[n];
        String[] transport = new String[n];
        String[] display = new String[n];
        Integer[] expires = new Integer[n];
        String[][] audit = new String[5][n];
        List<String[]> tokens = new ArrayList<>(n * 2);
        int i = 0;
        for (Sealed sealed : bySelector.values()) {
            InstanceRecord r = sealed.record();
            String s = r.selector();
            SipAccount a = r.account();
            sel[i] = s;
            appId[i] = r.appId();
            premium[i] = r.premium();
            lac[i] = r.lastAppContact().toString();
            fg[i] = r.appForeground();
            appSecret[i] = sealed.appSecret();
            user[i] = a.user();
            authUser[i] = a.authUser();
            pw[i] = sealed.password();
            domain[i] = a.domain();
            proxy[i] = a.proxy().orElse(null);
            port[i] = a.port();
            transport[i] = a.transport().name();
            display[i] = a.displayName();
            expires[i] = a.expires().map(e -> (int) Math.max(1, Math.min(Integer.MAX_VALUE, e.toSeconds()))).orElse(null);
            Audit au = audits.get(s);
            if (au != null) {
                audit[0][i] = au.latest().source();
                audit[1][i] = au.latest().appId();
                audit[2][i] = au.latest().at().toString();
                audit[3][i] = au.created() == null ? null : au.created().source();
                audit[4][i] = au.created() == null ? null : au.created().appId();
            }
            // The app may repeat a token; keep its first occurrence per (kind, token).
            java.util.Map<String, DeviceToken> unique = new java.util.LinkedHashMap<>();
            for (DeviceToken t : r.tokens()) {
                unique.putIfAbsent(t.kind() + " " + t.token(), t);
            }
            int pos = 0;
            for (DeviceToken t : unique.values()) {
                tokens.add(new String[] {s, t.platform().name(), t.kind().name(), t.appId(), t.token(),
                        t.lastSeen().toString(), Integer.toString(pos++)});
            }
            i++;
        }
        int m = tokens.size();
        String[][] cols = new String[6][m];
        Short[] positions = new Short[m];
        for (int j = 0; j < m; j++) {
            String[] t = tokens.get(j);
            for (int k = 0; k < 6; k++) {
                cols[k][j] = t[k];
            }
            positions[j] = Short.valueOf(t[6]);
        }
        try (PreparedStatement ps = c.prepareStatement(commit ? SAVE + "; COMMIT" : SAVE)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("text", sel));
            ps.setArray(p++, c.createArrayOf("text", appId));
            ps.setArray(p++, c.createArrayOf("bool", premium));
            ps.setArray(p++, c.createArrayOf("text", lac));
            ps.setArray(p++, c.createArrayOf("bool", fg));
            ps.setArray(p++, c.createArrayOf("text", appSecret));
            ps.setArray(p++, c.createArrayOf("text", user));
            ps.setArray(p++, c.createArrayOf("text", authUser));
            ps.setArray(p++, c.createArrayOf("text", pw));
            ps.setArray(p++, c.createArrayOf("text", domain));
            ps.setArray(p++, c.createArrayOf("text", proxy));
            ps.setArray(p++, c.createArrayOf("int4", port));
            ps.setArray(p++, c.createArrayOf("text", transport));
            ps.setArray(p++, c.createArrayOf("text", display));
            ps.setArray(p++, c.createArrayOf("int4", expires));
            for (int k = 0; k < 5; k++) {
                ps.setArray(p++, c.createArrayOf("text", audit[k]));
            }
            for (int k = 0; k < 6; k++) {
                ps.setArray(p++, c.createArrayOf("text", cols[k]));
            }
            ps.setArray(p, c.createArrayOf("int2", positions));
            ps.executeUpdate();
        }
    }

    /**
     * Notifies listeners of these selectors in the caller's transaction and makes its commit
     * asynchronous (see {@link StoreIo#notifyLater}).
     */
    static void notifyAfterCommit(Connection c, java.util.Collection<String> selectors) throws SQLException {
        try (PreparedStatement n = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', s), "
                + "set_config('synchronous_commit', 'off', true) FROM unnest(?::text[]) s")) {
            n.setArray(1, c.createArrayOf("text", selectors.toArray(String[]::new)));
            n.execute();
        }
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

    /** The instance columns of one row, secrets still sealed (read on the loading thread). */
    record Raw(String selector, String appId, boolean premium, Instant lastAppContact, boolean appForeground,
               String appSecretSealed, String user, String authUser, String passwordSealed, String domain,
               String proxy, int port, String transport, String displayName, Integer expires) {
    }

    static Raw raw(ResultSet rs) throws SQLException {
        return new Raw(rs.getString(1), rs.getString(2), rs.getBoolean(3), instant(rs, 4), rs.getBoolean(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), rs.getInt(12), rs.getString(13), rs.getString(14), (Integer) rs.getObject(15));
    }

    /** Reads the instance columns at the start of the row; secrets are opened with the key. */
    InstanceRecord record(ResultSet rs, List<DeviceToken> tokens) throws SQLException {
        return record(raw(rs), tokens);
    }

    /** Opens the secrets of a raw row and builds the record. */
    InstanceRecord record(Raw w, List<DeviceToken> tokens) {
        String sel = w.selector();
        try {
            SipAccount account = new SipAccount(w.user(), w.authUser(),
                    Secret.of(key.openString(w.passwordSealed(), Sealing.sipPassword(sel))), w.domain(),
                    Optional.ofNullable(w.proxy()), w.port(), SipAccount.Transport.valueOf(w.transport()),
                    w.displayName(), Optional.ofNullable(w.expires()).map(Duration::ofSeconds));
            return new InstanceRecord(sel, w.appId(), w.premium(), account,
                    Secret.of(key.openString(w.appSecretSealed(), Sealing.appSecret(sel))), tokens,
                    w.lastAppContact(), w.appForeground());
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
