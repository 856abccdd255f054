package org.opensipis.lb2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Blocking helpers for test peers: read one SIP message from a stream, build simple messages. */
final class SipWire {

    private SipWire() {
    }

    /** Reads one message (headers + Content-Length body); null at end of stream. */
    static String read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (head.size() == 0 && (b == '\r' || b == '\n')) {
                continue; // keep-alive CRLFs between messages
            }
            head.write(b);
            byte[] a = head.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                break;
            }
        }
        String h = head.toString(StandardCharsets.UTF_8);
        int len = org.opensipis.sip.message.StreamFramer.contentLength(h.substring(0, h.length() - 4));
        byte[] body = in.readNBytes(Math.max(0, len));
        return h + new String(body, StandardCharsets.UTF_8);
    }

    static String register(String selector, String appId, int cseq) {
        return "REGISTER sip:sipis.example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 127.0.0.1:5555;branch=z9hG4bK-" + cseq + "\r\n"
                + "From: <sip:" + selector + "@sipis.example.com>;tag=a" + cseq + "\r\n"
                + "To: <sip:" + selector + "@sipis.example.com>\r\n"
                + "Call-ID: call-" + selector + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:app@127.0.0.1:5555;transport=tcp;ob;pn-provider=apns;pn-prid=tok;pn-param=" + appId + ">\r\n"
                + "Expires: 600\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            int c = line.indexOf(':');
            if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) {
                return line.substring(c + 1).trim();
            }
        }
        return null;
    }
}
