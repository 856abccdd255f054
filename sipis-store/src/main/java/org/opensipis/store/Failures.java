package org.opensipis.store;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/** Tells a database outage (retry later) from a problem with the data (do not retry). */
final class Failures {

    private Failures() {
    }

    static boolean isOutage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientConnectionException || c instanceof SQLNonTransientConnectionException
                    || c instanceof SQLRecoverableException || c instanceof java.io.IOException) {
                return true;
            }
            if (c instanceof SQLException) {
                String state = ((SQLException) c).getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57") || state.startsWith("53")
                        || state.equals("25006") || state.equals("40001") || state.equals("40P01"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A serialization failure or deadlock: the work conflicted with another transaction; retry it. */
    static boolean isConflict(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                String state = ((SQLException) c).getSQLState();
                if ("40001".equals(state) || "40P01".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A short description without the stack, for logs. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = t.getMessage();
        return root == t || m == null ? String.valueOf(m) : m + " (" + root.getMessage() + ")";
    }
}
