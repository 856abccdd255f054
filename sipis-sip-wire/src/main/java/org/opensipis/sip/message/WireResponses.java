package org.opensipis.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Answers to requests refused at the wire (RFC 3261 8.2 and 21.4): 400 with a reason phrase
 * saying what is wrong, 505, 420 with Unsupported, 416. Echoes Via, From, To (with a tag),
 * Call-ID and CSeq as far as they could be read. Stateless.
 */
public final class WireResponses {

    private WireResponses() {
    }

    /**
     * The answer to a request the parser refused, or null when there is nothing to answer: a
     * response, an ACK (never answered), or bytes without a readable Via.
     */
    public static byte[] error(SipParseException e) {
        SipMessage p = e.partial();
        if (p == null || p.isResponse() || "ACK".equals(p.method()) || !p.has(HeaderNames.VIA)) {
            return null;
        }
        return build(p, e.status(), e.phrase());
    }

    /** A response to {@code request} with no body: the status line, the echoed headers and {@code extra} lines. */
    public static byte[] build(SipMessage request, int code, String phrase, String... extra) {
        StringBuilder b = head(new StringBuilder(512), request, code, phrase,
                Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        for (String x : extra) {
            b.append(x).append("\r\n");
        }
        b.append("Content-Length: 0\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes the start of a response to {@code request} (RFC 3261 8.2.6.2): the status line, every
     * Via, From, To (with {@code toTag} added when it has none and the code is above 100; null adds
     * none), Call-ID and CSeq. The one place responses are begun; callers add their headers, the
     * Content-Length and the body.
     */
    public static StringBuilder head(StringBuilder b, SipMessage request, int code, String phrase, String toTag) {
        b.append("SIP/2.0 ").append(code).append(' ').append(Printable.escape(phrase)).append("\r\n");
        for (String via : request.headersRaw(HeaderNames.VIA)) {
            b.append("Via: ").append(via).append("\r\n");
        }
        request.header(HeaderNames.FROM).ifPresent(v -> b.append("From: ").append(v).append("\r\n"));
        request.header(HeaderNames.TO).ifPresent(v -> {
            b.append("To: ").append(v);
            if (toTag != null && code > 100 && HeaderParams.param(v, "tag") == null) {
                b.append(";tag=").append(toTag);
            }
            b.append("\r\n");
        });
        request.header(HeaderNames.CALL_ID).ifPresent(v -> b.append("Call-ID: ").append(v).append("\r\n"));
        // a CSeq that could not be read is answered with the Request-Line's method, so that an
        // RFC 3261 client still matches the answer by branch and CSeq method (17.1.3)
        String cseq = request.header(HeaderNames.CSEQ).orElse("");
        String method = request.method() != null ? request.method() : request.cseqMethod();
        b.append("CSeq: ").append(cseqNumber(cseq)).append(' ').append(method).append("\r\n");
        return b;
    }

    private static String cseqNumber(String cseq) {
        int i = 0;
        while (i < cseq.length() && i < 10 && cseq.charAt(i) >= '0' && cseq.charAt(i) <= '9') {
            i++;
        }
        return i == 0 || Long.parseLong(cseq.substring(0, i)) > Integer.MAX_VALUE ? "0" : cseq.substring(0, i);
    }
}
