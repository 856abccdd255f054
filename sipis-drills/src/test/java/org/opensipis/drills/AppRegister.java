package org.opensipis.drills;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** An app's first REGISTER (no credentials) over TCP, e.g. through LB2; returns the answer's head. */
final class AppRegister {

    private AppRegister() {
    }

    static String send(String host, int port, int instance) throws IOException {
        String user = Apps.selector(instance).replace(":", "%3A");
        String request = "REGISTER sip:sipis.test SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 127.0.0.1:5555;branch=z9hG4bK-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:" + user + "@sipis.test>;tag=a\r\nTo: <sip:" + user + "@sipis.test>\r\n"
                + "Call-ID: drill-app-" + System.nanoTime() + "\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:app@127.0.0.1:5555;transport=tcp;ob>\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n";
        try (Socket s = new Socket(InetAddress.getByName(host), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int n = 0; n < 8192; n++) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                if (b.size() == 0 && (c == '\r' || c == '\n')) {
                    continue;
                }
                b.write(c);
                if (b.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        }
    }
}
