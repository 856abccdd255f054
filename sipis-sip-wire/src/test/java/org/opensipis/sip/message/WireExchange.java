package org.opensipis.sip.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends raw bytes to a SIP socket and collects the status codes answered to them, test code:
 * after the bytes an OPTIONS probe with its own Call-ID follows, and everything answered before
 * the probe's answer belongs to the bytes (the receivers answer in order). Reads block with a
 * socket timeout; nothing sleeps.
 */
public final class WireExchange {

    /** What came back: the status codes before the probe's answer; whether the peer closed the stream. */
    public record Outcome(List<Integer> codes, boolean closed, List<String> raw) {
    }

    private final AtomicInteger probes = new AtomicInteger();

    public String probe(String transport) {
        int n = probes.incrementAndGet();
        return "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/" + transport + " 127.0.0.1:9;branch=z9hG4bKprobe" + n
                + "\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: probe-" + n
                + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    /**
     * Over UDP: the datagram, then a probe datagram. UDP may drop a datagram when the receiver's
     * buffer is full (a burst of 64 KB mutations): the probe is sent again, up to five times.
     */
    public Outcome udp(DatagramSocket s, InetSocketAddress to, byte[] bytes) throws IOException {
        s.setSoTimeout(2_000);
        s.send(new DatagramPacket(bytes, bytes.length, to));
        String probe = probe("UDP");
        byte[] p = probe.getBytes(StandardCharsets.UTF_8);
        String callId = callIdOf(probe);
        List<Integer> codes = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        byte[] buf = new byte[70_000];
        for (int attempt = 0; attempt < 5; attempt++) {
            s.send(new DatagramPacket(p, p.length, to));
            try {
                for (int i = 0; i < 5_000; i++) {
                    DatagramPacket in = new DatagramPacket(buf, buf.length);
                    s.receive(in);
                    String text = new String(buf, 0, in.getLength(), StandardCharsets.UTF_8);
                    if (text.contains("Call-ID: " + callId + "\r\n")) {
                        return new Outcome(codes, false, raw);
                    }
                    codes.add(status(text));
                    raw.add(text);
                }
            } catch (SocketTimeoutException e) {
                // the probe (or its answer) was lost: again
            }
        }
        throw new IllegalStateException("no answer to the probe " + callId);
    }

    /**
     * Over a stream: the bytes, then (when {@code probe}) a probe; or, without a probe, the
     * output is shut so that the peer sees the end of the stream.
     */
    public Outcome stream(Socket s, byte[] bytes, boolean probe) throws IOException {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        String callId = null;
        if (probe) {
            String p = probe("TCP");
            callId = callIdOf(p);
            out.write(p.getBytes(StandardCharsets.UTF_8));
        } else {
            s.shutdownOutput();
        }
        out.flush();
        InputStream in = s.getInputStream();
        List<Integer> codes = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String text;
            try {
                text = readMessage(in);
            } catch (java.net.SocketException e) {
                text = null; // reset by the peer closing
            }
            if (text == null) {
                return new Outcome(codes, true, raw);
            }
            if (callId != null && text.contains("Call-ID: " + callId + "\r\n")) {
                return new Outcome(codes, false, raw);
            }
            codes.add(status(text));
            raw.add(text);
        }
        throw new IllegalStateException("too many answers");
    }

    /** One framed message from a stream, null at its end. Keep-alive CRLFs are skipped. */
    public static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new IllegalStateException("no answer within the timeout", e);
            }
            if (b < 0) {
                return null;
            }
            if (head.size() == 0 && (b == '\r' || b == '\n')) {
                continue;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : b == '\r' ? 1 : 0;
        }
        String h = head.toString(StandardCharsets.UTF_8);
        int length = StreamFramer.contentLength(h.substring(0, h.length() - 4));
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String callIdOf(String message) {
        int i = message.indexOf("Call-ID: ") + 9;
        return message.substring(i, message.indexOf("\r\n", i));
    }

    private static int status(String text) {
        if (!text.startsWith("SIP/2.0 ") || text.length() < 11) {
            return -1; // a request (a relayed one), not an answer
        }
        return Integer.parseInt(text.substring(8, 11));
    }
}
