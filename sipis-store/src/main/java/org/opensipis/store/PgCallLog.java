package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.call.CallLog;
import org.opensipis.core.call.MissedCall;
import org.opensipis.core.call.TextMessage;
import org.opensipis.core.crypto.SealedDataException;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.shard.Selector;

/**
 * {@link CallLog} on PostgreSQL: missed calls in {@code calls} (status {@code MISSED}),
 * undelivered messages in {@code text_messages} (body and headers sealed), the badge in
 * {@code badge_counts}, updated in the same transaction as the row it counts. Shared by every
 * process on the database; each call runs in its own transaction on {@code sipis-store-io-*}.
 *
 * <p>Recording a call id (or message id) the selector already has changes nothing and answers
 * the current badge. Recording for a selector with no {@code instances} row fails the future
 * with a {@link StoreException} that names the selector and the call or message (no cause, so
 * a log line is one line). Timestamps keep microseconds.
 *
 * <p>Missed calls are {@link StoreIo#batched batched}: the calls ending while one transaction
 * runs share the next one (one commit, statements prepared once), which at hundreds of calls
 * per second took most of the database's CPU per call; the badge each one answers is still its
 * own, counted in order. A group that fails is run again call by call, so an unknown selector
 * fails only its own call.
 */
final class PgCallLog implements CallLog {

    /** PostgreSQL's foreign_key_violation: the selector has no instances row. */
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private static final String INSERT_CALL = "INSERT INTO calls (selector, server_name, call_id, caller, caller_name, "
            + "status, received_at, ended_at, reason) VALUES (?, ?, ?, ?, ?, 'MISSED', ?, ?, ?) "
            + "ON CONFLICT (selector, call_id) DO UPDATE SET status = 'MISSED', caller = EXCLUDED.caller, "
            + "caller_name = EXCLUDED.caller_name, ended_at = EXCLUDED.ended_at, reason = EXCLUDED.reason "
            + "WHERE calls.status = 'PENDING'";
    private static final String INSERT_MESSAGE = "INSERT INTO text_messages (selector, msg_id, sender, content_type, "
            + "body_sealed, headers_sealed, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (selector, msg_id) DO NOTHING";
    private static final String COUNT = "INSERT INTO badge_counts AS b (selector, missed_calls, messages, changed_at) "
            + "VALUES (?, ?, ?, clock_timestamp()) ON CONFLICT (selector) DO UPDATE SET "
            + "missed_calls = b.missed_calls + EXCLUDED.missed_calls, messages = b.messages + EXCLUDED.messages, "
            + "changed_at = EXCLUDED.changed_at RETURNING b.missed_calls + b.messages";

    private static final String BADGE = "SELECT missed_calls + messages FROM badge_counts WHERE selector = ?";
    /**
     * {@link #INSERT_CALL} and, if it added or ended the row, {@link #COUNT} in one statement (one
     * round trip): answers the new badge, or the current one when the call was already recorded.
     */
    private static final String MISSED = "WITH ins AS (" + INSERT_CALL + " RETURNING 1), "
            + "up AS (INSERT INTO badge_counts AS b (selector, missed_calls, messages, changed_at) "
            + "SELECT ?, 1, 0, clock_timestamp() FROM ins ON CONFLICT (selector) DO UPDATE SET "
            + "missed_calls = b.missed_calls + 1, changed_at = EXCLUDED.changed_at "
            + "RETURNING b.missed_calls + b.messages AS badge) "
            + "SELECT coalesce((SELECT badge FROM up), (" + BADGE + "), 0)";

    private final StoreIo io;
    private final SipisKey key;
    private final String serverName;

    PgCallLog(StoreIo io, SipisKey key, String serverName) {
        this.io = io;
        this.key = key;
        this.serverName = serverName;
    }

    @Override
    public CompletableFuture<Integer> recordMissedCall(String selector, MissedCall call) {
        Objects.requireNonNull(call, "call");
        String sel;
        try {
            sel = Selector.normalise(selector);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String what = "missed call " + call.callId() + " of selector " + sel;
        return io.batched("recording " + what, new Missed(sel, call, what), missedGroup);
    }

    /** One missed call waiting for its group. */
    private record Missed(String sel, MissedCall call, String what) {
    }

    /** Records a group of missed calls in one transaction, in selector order (the badge rows' lock order). */
    private final ResultGroup<Missed, Integer> missedGroup = this::recordMissed;

    private List<Integer> recordMissed(Connection c, List<Missed> items) throws SQLException {
        Integer[] badges = new Integer[items.size()];
        Integer[] order = new Integer[items.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparing(i -> items.get(i).sel()));
        try (PreparedStatement insert = c.prepareStatement(MISSED)) {
            for (int i : order) {
                Missed m = items.get(i);
                MissedCall call = m.call();
                insert.setString(1, m.sel());
                insert.setString(2, serverName);
                insert.setString(3, call.callId());
                insert.setString(4, call.callerUri());
                insert.setString(5, call.callerName());
                insert.setObject(6, InstanceRows.ts(call.at()));
                insert.setObject(7, InstanceRows.ts(call.ended()));
                insert.setString(8, call.reason());
                insert.setString(9, m.sel());
                insert.setString(10, m.sel());
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    badges[i] = rs.getInt(1);
                } catch (SQLException e) {
                    if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                        throw unknownSelector(m.sel(), m.what());
                    }
                    throw e;
                }
            }
        }
        return java.util.Arrays.asList(badges);
    }

    @Override
    public CompletableFuture<Integer> recordTextMessage(String selector, TextMessage message) {
        Objects.requireNonNull(message, "message");
        String sel;
        try {
            sel = Selector.normalise(selector);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String what = "text message " + message.msgId() + " of selector " + sel;
        return io.tx("recording " + what, c -> {
            int added;
            try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE)) {
                ps.setString(1, sel);
                ps.setString(2, message.msgId());
                ps.setString(3, message.from());
                ps.setString(4, message.contentType());
                ps.setString(5, key.seal(message.body(), Sealing.textMessage(sel)));
                ps.setString(6, key.seal(message.headers(), Sealing.textHeaders(sel)));
                ps.setObject(7, InstanceRows.ts(message.received()));
                added = ps.executeUpdate();
            } catch (SQLException e) {
                if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                    throw unknownSelector(sel, what);
                }
                throw e;
            }
            return added == 0 ? badge(c, sel) : count(c, sel, 0, 1);
        });
    }

    @Override
    public CompletableFuture<Integer> badge(String selector) {
        String sel = selector.toUpperCase(Locale.ROOT);
        return io.tx("reading the badge of selector " + sel, c -> badge(c, sel));
    }

    @Override
    public CompletableFuture<List<MissedCall>> missedCalls(String selector) {
        String sel = selector.toUpperCase(Locale.ROOT);
        return io.tx("reading the missed calls of selector " + sel, c -> {
            List<MissedCall> calls = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT call_id, caller_name, caller, received_at, "
                    + "coalesce(ended_at, received_at), reason FROM calls WHERE selector = ? AND status = 'MISSED' "
                    + "ORDER BY received_at, id")) {
                ps.setString(1, sel);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        calls.add(new MissedCall(rs.getString(1), rs.getString(2), rs.getString(3),
                                InstanceRows.instant(rs, 4), InstanceRows.instant(rs, 5), rs.getString(6)));
                    }
                }
            }
            return List.copyOf(calls);
        });
    }

    @Override
    public CompletableFuture<List<TextMessage>> textMessages(String selector) {
        String sel = selector.toUpperCase(Locale.ROOT);
        return io.tx("reading the text messages of selector " + sel, c -> {
            List<TextMessage> messages = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT msg_id, sender, content_type, body_sealed, "
                    + "headers_sealed, received_at FROM text_messages WHERE selector = ? ORDER BY received_at, id")) {
                ps.setString(1, sel);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String msgId = rs.getString(1);
                        String headers = rs.getString(5);
                        messages.add(new TextMessage(msgId, rs.getString(2), rs.getString(3),
                                open(rs.getString(4), Sealing.textMessage(sel), "body", msgId, sel),
                                headers == null ? "" : open(headers, Sealing.textHeaders(sel), "headers", msgId, sel),
                                InstanceRows.instant(rs, 6)));
                    }
                }
            }
            return List.copyOf(messages);
        });
    }

    /**
     * Sets the badge to 0 first, which takes the badge row's lock: a record running at the
     * same time either committed before (and its row is deleted here) or counts after this
     * commits (and its row is kept), so the badge always matches the rows.
     */
    @Override
    public CompletableFuture<Void> clear(String selector) {
        String sel = selector.toUpperCase(Locale.ROOT);
        return io.tx("clearing the call log of selector " + sel, c -> {
            try (PreparedStatement reset = c.prepareStatement("UPDATE badge_counts SET missed_calls = 0, messages = 0, "
                    + "changed_at = clock_timestamp() WHERE selector = ?");
                 PreparedStatement calls = c.prepareStatement(
                         "DELETE FROM calls WHERE selector = ? AND status = 'MISSED'");
                 PreparedStatement messages = c.prepareStatement("DELETE FROM text_messages WHERE selector = ?")) {
                for (PreparedStatement ps : List.of(reset, calls, messages)) {
                    ps.setString(1, sel);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static int count(Connection c, String sel, int calls, int messages) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COUNT)) {
            return count(ps, sel, calls, messages);
        }
    }

    private static int count(PreparedStatement ps, String sel, int calls, int messages) throws SQLException {
        ps.setString(1, sel);
        ps.setInt(2, calls);
        ps.setInt(3, messages);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int badge(Connection c, String sel) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BADGE)) {
            return badge(ps, sel);
        }
    }

    private static int badge(PreparedStatement ps, String sel) throws SQLException {
        ps.setString(1, sel);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private String open(String envelope, String context, String field, String msgId, String sel) {
        try {
            return key.openString(envelope, context);
        } catch (SealedDataException e) {
            throw new StoreException("the " + field + " of text message " + msgId + " of selector " + sel
                    + " does not open: " + e.getMessage());
        }
    }

    /** A missing instances row: a one-line error naming the selector, without a cause. */
    private static StoreException unknownSelector(String sel, String what) {
        return new StoreException("cannot record " + what + ": no instance has selector " + sel
                + " (never registered, or deleted)");
    }
}
