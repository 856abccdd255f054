package org.opensipis.sip.app;

import java.nio.charset.StandardCharsets;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/** Responses the hand-written test peers send. */
final class RelayMessagesForTest {

    private RelayMessagesForTest() {
    }

    static String response(SipMessage request, int code, String phrase) {
        return responseTagged(request, code, phrase, null, null);
    }

    /** A response copying Via, From, To (adding {@code toTag} when set and absent), Call-ID, CSeq; SDP body if given. */
    static String responseTagged(SipMessage request, int code, String phrase, String toTag, String sdp) {
        StringBuilder b = new StringBuilder();
        b.append("SIP/2.0 ").append(code).append(' ').append(phrase).append("\r\n");
        for (String via : request.headers("via")) {
            b.append("Via: ").append(via).append("\r\n");
        }
        b.append("From: ").append(request.header("from").orElseThrow()).append("\r\n");
        String to = request.header("to").orElseThrow();
        b.append("To: ").append(to);
        if (toTag != null && HeaderParams.param(to, "tag") == null) {
            b.append(";tag=").append(toTag);
        }
        b.append("\r\nCall-ID: ").append(request.callId()).append("\r\n");
        b.append("CSeq: ").append(request.header("cseq").orElseThrow()).append("\r\n");
        if (code >= 200 && code < 300 && request.method().equals("INVITE")) {
            b.append("Contact: <sip:app@10.0.0.5:50123;transport=tcp>\r\n");
        }
        if (sdp == null) {
            return b.append("Content-Length: 0\r\n\r\n").toString();
        }
        b.append("Content-Type: application/sdp\r\n");
        b.append("Content-Length: ").append(sdp.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n");
        return b.append(sdp).toString();
    }
}
