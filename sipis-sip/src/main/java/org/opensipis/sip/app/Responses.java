package org.opensipis.sip.app;

import java.util.concurrent.ThreadLocalRandom;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/** Builds responses to app requests (RFC 3261 section 8.2.6). Stateless. */
final class Responses {

    private Responses() {
    }

    /**
     * A response to {@code req} with the given extra header lines (each "Name: value", no CRLF).
     * Via, From, Call-ID and CSeq are copied; To gets a tag when it has none.
     */
    static String response(SipMessage req, int status, String reason, String... extra) {
        StringBuilder b = new StringBuilder(512);
        b.append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String via : req.headers("via")) {
            b.append("Via: ").append(via).append("\r\n");
        }
        b.append("From: ").append(req.header("from").orElse("")).append("\r\n");
        String to = req.header("to").orElse("");
        b.append("To: ").append(to);
        if (status > 100 && !to.isEmpty() && HeaderParams.param(to, "tag") == null) {
            b.append(";tag=").append(Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        }
        b.append("\r\n");
        b.append("Call-ID: ").append(req.callId()).append("\r\n");
        b.append("CSeq: ").append(req.header("cseq").orElse("")).append("\r\n");
        for (String h : extra) {
            b.append(h).append("\r\n");
        }
        b.append("Server: sipis\r\nContent-Length: 0\r\n\r\n");
        return b.toString();
    }
}
