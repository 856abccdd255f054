package org.opensipis.core.instance;

/**
 * The database is unreachable (or was, at the last attempt, and is being probed): the call
 * failed at once without waiting for a connection. Nothing was done.
 */
public final class StoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
