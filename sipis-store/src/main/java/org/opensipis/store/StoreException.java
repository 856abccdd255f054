package org.opensipis.store;

/**
 * The store cannot do what was asked: a bad {@code Database[OpenString]}, an unreachable
 * database at start, a migration that fails, a sealed value that does not open. The message
 * names the setting or selector and never contains a password.
 */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
