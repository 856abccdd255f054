package org.opensipis.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * {@link StoreIo#batched} work done for many items at once, inside one transaction, with one
 * result per item. The same instance must be passed for every item of a group (items are grouped
 * by identity).
 */
interface ResultGroup<R, T> {
    /** Returns one result per item, in order (or null when every result is null). */
    List<T> run(Connection c, List<R> items) throws SQLException;

    /**
     * Like {@link #run(Connection, List)}; {@code last} says nothing else runs in the
     * transaction after this call, so its last statement may carry the {@code COMMIT} (one
     * round trip less: the driver's {@code commit()} then has nothing to do).
     */
    default List<T> run(Connection c, List<R> items, boolean last) throws SQLException {
        return run(c, items);
    }

    /** Runs after the commit, once the items' futures are complete (e.g. {@link StoreIo#notifyLater}). */
    default void afterCommit(List<R> items) {
    }

    /**
     * Whether this group takes locks (advisory) and must run first in a shared transaction;
     * such a group may roll back what it did itself (to release its locks) and start again.
     * At most one group of a StoreIo may say so.
     */
    default boolean locksFirst() {
        return false;
    }
}
