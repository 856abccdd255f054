package org.opensipis.sip.message;

/** A SIP message or header that does not follow RFC 3261; the message says what is wrong. */
public final class SipParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SipParseException(String message) {
        super(message);
    }
}
