package org.opensipis.lb2;

import java.nio.charset.StandardCharsets;

/** Final responses LB2 itself sends to an app (RFC 3261 §8.2.6: copy Via, From, To, Call-ID, CSeq). */
final class Responses {

    private Responses() {
    }

    static byte[] reply(SipHead request, int code, String phrase, String... extraHeaders) {
        StringBuilder b = new StringBuilder(256);
        b.append("SIP/2.0 ").append(code).append(' ').append(phrase).append("\r\n");
        for (String via : request.headers("via")) {
            b.append("Via: ").append(via).append("\r\n");
        }
        request.header("from").ifPresent(v -> b.append("From: ").append(v).append("\r\n"));
        request.header("to").ifPresent(v -> {
            b.append("To: ").append(v);
            if (!v.toLowerCase(java.util.Locale.ROOT).contains(";tag=")) {
                b.append(";tag=lb2");
            }
            b.append("\r\n");
        });
        request.header("call-id").ifPresent(v -> b.append("Call-ID: ").append(v).append("\r\n"));
        request.header("cseq").ifPresent(v -> b.append("CSeq: ").append(v).append("\r\n"));
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        b.append("Server: sipis-lb2\r\nContent-Length: 0\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] unavailable(SipHead request) {
        return reply(request, 503, "Service Unavailable", "Retry-After: 5");
    }

    static byte[] noRoute(SipHead request, String why) {
        return reply(request, 404, "Not Found", "Warning: 399 sipis-lb2 \"" + why.replace("\"", "'") + "\"");
    }
}
