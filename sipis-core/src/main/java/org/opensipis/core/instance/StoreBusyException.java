package org.opensipis.core.instance;

/**
 * The store did not take the call because too many are already waiting: the database is up but
 * saturated. Nothing was done; the caller may retry shortly (HTTP: 503 with Retry-After).
 */
public final class StoreBusyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreBusyException(String message) {
        super(message);
    }
}
