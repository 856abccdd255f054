package org.opensipis.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Raw-socket HTTP for tests that must send what no well-behaved client would. */
final class RawHttp {

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

    private RawHttp() {
    }

    /**
     * Sends bytes, optionally half-closes, and reads until the server closes or {@code readTimeoutMs}
     * passes without data. Returns what came back (possibly nothing).
     */
    static String exchange(int port, byte[] request, boolean halfClose, int readTimeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(readTimeoutMs);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
                if (halfClose) {
                    s.shutdownOutput();
                }
            } catch (IOException e) {
                // the server may close early (e.g. after 413/431); read what it said
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // keep-alive connection left open: fine, we have what was sent
            } catch (IOException e) {
                // reset by the server after a refusal
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static String exchange(int port, String request) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), true, 5000);
    }

    /** Status codes of every response in a byte stream, in order. */
    static List<Integer> statuses(String responses) {
        List<Integer> out = new ArrayList<>();
        Matcher m = STATUS.matcher(responses);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }
}
