package org.opensipis.core.crypto;

import java.nio.file.Path;

/** {@code sipis.key} is missing, unreadable or not a key; the message names the file. */
public final class KeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyFileException(Path file, String message) {
        super(file + ": " + message);
    }
}
