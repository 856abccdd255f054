package org.opensipis.sip.app.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.opensipis.sip.message.SipMessage;

/** A blocking request/response exchange on one socket (responses carry Content-Length: 0). */
final class BenchWire {

    private final InputStream in;
    private final OutputStream out;

    BenchWire(Socket s) throws IOException {
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    SipMessage exchange(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("server closed the flow");
            }
            head.write(c);
            state = c == '\r' ? (state == 2 ? 3 : 1) : c == '\n' ? (state == 1 ? 2 : state == 3 ? 4 : 0) : 0;
        }
        return SipMessage.parse(head.toString(StandardCharsets.UTF_8));
    }
}
