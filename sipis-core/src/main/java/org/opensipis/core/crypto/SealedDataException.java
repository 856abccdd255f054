package org.opensipis.core.crypto;

/** A sealed value cannot be opened: wrong key, tampered, or not an envelope. */
public final class SealedDataException extends Exception {
    private static final long serialVersionUID = 1L;

    public SealedDataException(String message) {
        super(message);
    }
}
