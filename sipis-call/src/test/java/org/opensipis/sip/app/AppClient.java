package org.opensipis.sip.app;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.sip.digest.DigestAuthorizer;
import org.opensipis.sip.digest.DigestChallenge;
import org.opensipis.sip.message.SipMessage;

/**
 * A test app UA on a plain socket: writes raw text, and a reader thread frames what the server
 * sends into {@link #received} ("PONG" for a lone CRLF, the message text otherwise). Public for
 * sipis-server's end-to-end tests (through sipis-sip's test-jar).
 */
public final class AppClient implements AutoCloseable {

    public static final String PONG = "PONG";
    final Socket socket;
    public final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    volatile boolean closedByServer;
    private final AtomicInteger cseq = new AtomicInteger();
    private final String callId = "call-" + System.nanoTime();
    private final Thread reader;

    public AppClient(Socket socket) {
        this.socket = socket;
        reader = new Thread(this::readLoop, "test-app-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public void send(String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A REGISTER from this client: To user {@code toUser}, the given Expires and extra header lines. */
    public String register(String toUser, int expires, String... extra) {
        int n = cseq.incrementAndGet();
        StringBuilder b = new StringBuilder();
        b.append("REGISTER sip:sipis.test SIP/2.0\r\n")
                .append("Via: SIP/2.0/TCP 10.0.0.5:50123;branch=z9hG4bK-").append(n).append(";alias\r\n")
                .append("Max-Forwards: 70\r\n")
                .append("From: <sip:").append(toUser).append("@sipis.test>;tag=a1\r\n")
                .append("To: <sip:").append(toUser).append("@sipis.test>\r\n")
                .append("Call-ID: ").append(callId).append("\r\n")
                .append("CSeq: ").append(n).append(" REGISTER\r\n")
                .append("Contact: <sip:app@10.0.0.5:50123;transport=tcp;ob;pn-provider=apns;pn-param=TEAM.com.example.app.voip>")
                .append(";+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\";reg-id=1\r\n")
                .append("Supported: outbound, path\r\n")
                .append("Expires: ").append(expires).append("\r\n");
        for (String h : extra) {
            b.append(h).append("\r\n");
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    /** {@code request} with an Authorization header answering the 401 {@code challenge}. */
    public static String authorized(String request, SipMessage challenge, String user, String password) {
        DigestChallenge c = DigestChallenge.parse(challenge.header("www-authenticate").orElseThrow(), false);
        String auth = new DigestAuthorizer().authorize(c, user, password, "REGISTER", "sip:sipis.test");
        int end = request.indexOf("Content-Length:");
        return request.substring(0, end) + "Authorization: " + auth + "\r\n" + request.substring(end);
    }

    private void readLoop() {
        try (InputStream in = new BufferedInputStream(socket.getInputStream())) {
            for (int guard = 0; guard < 1_000_000; guard++) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                int c;
                int state = 0;
                while (state < 4 && (c = in.read()) >= 0) {
                    head.write(c);
                    if (c == '\r') {
                        state = state == 2 ? 3 : 1;
                    } else if (c == '\n') {
                        state = state == 1 ? 2 : state == 3 ? 4 : 0;
                    } else {
                        state = 0;
                    }
                    if (state == 2 && head.size() == 2) {
                        received.add(PONG);
                        head.reset();
                        state = 0;
                    }
                }
                if (state < 4) {
                    closedByServer = true;
                    return;
                }
                String h = head.toString(StandardCharsets.UTF_8);
                int length = org.opensipis.sip.message.StreamFramer.contentLength(h.substring(0, h.length() - 4));
                byte[] body = in.readNBytes(length);
                received.add(h + new String(body, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            closedByServer = true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
