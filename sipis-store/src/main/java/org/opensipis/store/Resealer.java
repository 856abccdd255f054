package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.opensipis.core.crypto.SealedDataException;
import org.opensipis.core.crypto.SipisKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals again, with the current key, every stored secret sealed with a retired key (after
 * {@code sipis key rotate}). Walks the tables in selector order, 500 rows per transaction; an
 * update only applies if the row still holds the envelope that was read, so it is safe while
 * the servers run. Envelopes that no key opens are reported by selector and left alone.
 */
final class Resealer {

    private static final Logger LOG = LoggerFactory.getLogger(Resealer.class);
    private static final int PAGE = 500;

    private final DataSource ds;

    Resealer(DataSource ds) {
        this.ds = ds;
    }

    private record Row(String key, String selector, String sealed) {
    }

    /** @return how many envelopes were sealed again */
    int reseal(SipisKey key) {
        int n = 0;
        n += column(key, "instances", "selector", "selector", "sip_password_sealed", Sealing::sipPassword);
        n += column(key, "instances", "selector", "selector", "app_secret_sealed", Sealing::appSecret);
        n += column(key, "text_messages", "id::text", "selector", "body_sealed", Sealing::textMessage);
        n += column(key, "text_messages", "id::text", "selector", "headers_sealed", Sealing::textHeaders);
        LOG.info("Sealed {} stored secret(s) again with key {}", n, key.id());
        return n;
    }

    private int column(SipisKey key, String table, String keyExpr, String selectorColumn, String column,
                       java.util.function.UnaryOperator<String> context) {
        int changed = 0;
        String after = "";
        String select = "SELECT " + keyExpr + ", " + selectorColumn + ", " + column + " FROM " + table
                + " WHERE " + keyExpr + " > ? COLLATE \"C\" AND " + column + " IS NOT NULL"
                + " ORDER BY " + keyExpr + " COLLATE \"C\" LIMIT " + PAGE;
        String update = "UPDATE " + table + " SET " + column + " = ? WHERE " + keyExpr + " = ? AND " + column + " = ?";
        for (int pages = 0; pages < Integer.MAX_VALUE; pages++) {
            List<Row> rows = new ArrayList<>(PAGE);
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    ps.setString(1, after);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3)));
                        }
                    }
                }
                try (PreparedStatement up = c.prepareStatement(update)) {
                    for (Row r : rows) {
                        if (!key.isStale(r.sealed())) {
                            continue;
                        }
                        String ctx = context.apply(r.selector());
                        try {
                            up.setString(1, key.seal(key.openString(r.sealed(), ctx), ctx));
                        } catch (SealedDataException e) {
                            LOG.error("{}.{} of selector {} does not open: {}", table, column, r.selector(), e.getMessage());
                            continue;
                        }
                        up.setString(2, r.key());
                        up.setString(3, r.sealed());
                        up.addBatch();
                        changed++;
                    }
                    up.executeBatch();
                }
                c.commit();
            } catch (SQLException e) {
                throw new StoreException("cannot seal " + table + "." + column + " again: " + Failures.describe(e), e);
            }
            if (rows.size() < PAGE) {
                break;
            }
            after = rows.get(rows.size() - 1).key();
        }
        return changed;
    }
}
