package org.opensipis.sip.message;

/**
 * A SIP message or header that does not follow RFC 3261; the message says what is wrong and
 * where. When the bytes were a request whose Via (and what else could be read) is known,
 * {@link #partial()} holds those headers, so that the receiver can answer with {@link #status()}
 * and {@link #phrase()} ({@link WireResponses#error}).
 */
public final class SipParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String phrase;
    private final int offset;
    private final transient SipMessage partial;
    private final boolean sipLike;

    public SipParseException(String message) {
        this(400, message, -1, null);
    }

    /**
     * @param status  the answer a request deserves: 400, or 505 for another SIP version
     * @param message what is wrong (a short sentence, safe to log: no raw input)
     * @param offset  the byte offset in the message where the problem is, -1 if not known
     * @param partial the headers that could be read, or null
     */
    public SipParseException(int status, String message, int offset, SipMessage partial) {
        this(status, message, offset, partial, true);
    }

    /**
     * @param sipLike false when the bytes do not even start like a SIP message (no SIP version in
     *                the first line): a stream peer sending such bytes is not a SIP peer
     */
    public SipParseException(int status, String message, int offset, SipMessage partial, boolean sipLike) {
        super(offset >= 0 ? message + " (at byte " + offset + ")" : message);
        this.sipLike = sipLike;
        this.status = status;
        this.phrase = status == 505 ? "Version Not Supported" : Printable.phrase(message);
        this.offset = offset;
        this.partial = partial;
    }

    /** The same problem, now with the headers that could be read. */
    SipParseException withPartial(SipMessage p) {
        return new SipParseException(status, detail(), offset, p, sipLike);
    }

    private String detail() {
        String m = getMessage();
        int at = offset >= 0 ? m.lastIndexOf(" (at byte ") : -1;
        return at >= 0 ? m.substring(0, at) : m;
    }

    /** Whether the bytes started like a SIP message (a status line, or a Request-Line naming a SIP version). */
    public boolean sipLike() {
        return sipLike;
    }

    /** 400 or 505. */
    public int status() {
        return status;
    }

    /** A reason phrase for the answer, saying what is wrong (printable ASCII, no input echoed). */
    public String phrase() {
        return phrase;
    }

    /** Byte offset of the problem in the message, or -1. */
    public int offset() {
        return offset;
    }

    /** What could be read of the message (start line and the well-formed headers), or null. */
    public SipMessage partial() {
        return partial;
    }
}
