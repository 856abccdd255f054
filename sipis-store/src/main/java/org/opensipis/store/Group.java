package org.opensipis.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Work done for many items at once, inside one transaction (e.g. one set-based statement). */
@FunctionalInterface
interface Group<R> extends ResultGroup<R, Void> {
    void runAll(Connection c, List<R> items) throws SQLException;

    @Override
    default List<Void> run(Connection c, List<R> items) throws SQLException {
        runAll(c, items);
        return null;
    }
}
