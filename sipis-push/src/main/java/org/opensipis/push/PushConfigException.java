package org.opensipis.push;

/** A NotificationServers entry cannot be turned into a working provider (names the entry/file). */
public final class PushConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PushConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    public PushConfigException(String message) {
        super(message);
    }
}
