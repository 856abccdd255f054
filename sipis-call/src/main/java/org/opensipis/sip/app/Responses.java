package org.opensipis.sip.app;

import java.util.concurrent.ThreadLocalRandom;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.WireResponses;

/** Builds responses to app requests (RFC 3261 section 8.2.6). Stateless. */
final class Responses {

    private Responses() {
    }

    /**
     * A response to {@code req} with the given extra header lines (each "Name: value", no CRLF).
     * Via, From, Call-ID and CSeq are copied; To gets a tag when it has none.
     */
    static String response(SipMessage req, int status, String reason, String... extra) {
        StringBuilder b = WireResponses.head(new StringBuilder(512), req, status, reason,
                Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        for (String h : extra) {
            b.append(h).append("\r\n");
        }
        b.append("Server: sipis\r\nContent-Length: 0\r\n\r\n");
        return b.toString();
    }
}
