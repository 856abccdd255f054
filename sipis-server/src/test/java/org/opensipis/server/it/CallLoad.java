package org.opensipis.server.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A caller on a loopback UDP socket placing calls through the registrar's proxy to drill users
 * at a steady rate, as the provider's callers would: INVITE (retransmitted until a response),
 * CANCEL half a second after the first 180 (or after 3 s without one), ACK for every final
 * response. Who pushed each call is counted at the push provider, not here; this class keeps
 * the calls placed and how each ended.
 */
final class CallLoad implements AutoCloseable {

    /** One call: its Call-ID, the user called, when, and its final status (0 until it has one). */
    static final class Call {
        final String callId;
        final String user;
        final long placedAtMillis;
        final String branch;
        final String fromTag;
        volatile int finalStatus;
        volatile long finalAtMillis;
        volatile boolean cancelSent;
        volatile boolean responded;
        volatile boolean cancelAnswered;

        Call(String callId, String user, long placedAtMillis, String branch, String fromTag) {
            this.callId = callId;
            this.user = user;
            this.placedAtMillis = placedAtMillis;
            this.branch = branch;
            this.fromTag = fromTag;
        }
    }

    private final DatagramSocket socket;
    private final InetSocketAddress proxy;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "it-caller");
        t.setDaemon(true);
        return t;
    });
    private final Thread receiver;
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final List<Call> placed = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Random random = new Random(17);
    private volatile ScheduledFuture<?> placing;
    private int counter;

    CallLoad(int proxyPort) throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort);
        receiver = new Thread(this::receive, "it-caller-rx");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Places {@code perSecond} calls a second to the users {@code users} picks, until {@link #pause}. */
    synchronized void start(double perSecond, Supplier<String> users) {
        pause();
        long period = Math.max(1, Math.round(1000 / perSecond));
        placing = timer.scheduleAtFixedRate(() -> place(users.get()), 0, period, TimeUnit.MILLISECONDS);
    }

    synchronized void pause() {
        if (placing != null) {
            placing.cancel(false);
            placing = null;
        }
    }

    /** The calls placed so far, in order. */
    List<Call> placed() {
        synchronized (placed) {
            return List.copyOf(placed);
        }
    }

    Random random() {
        return random;
    }

    private void place(String user) {
        int n = ++counter;
        String id = "it-" + n + "-" + Long.toHexString(random.nextLong()) + "@127.0.0.1";
        Call c = new Call(id, user, System.currentTimeMillis(), "z9hG4bK-it-" + n, "tag" + n);
        calls.put(id, c);
        placed.add(c);
        sendInvite(c, 500, 0);
        timer.schedule(() -> cancel(c), 3_000, TimeUnit.MILLISECONDS);
    }

    private void sendInvite(Call c, long retransmitMillis, int attempt) {
        if (c.responded || attempt > 5) {
            return;
        }
        String sdp = "v=0\r\no=it 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        send("INVITE sip:" + c.user + "@127.0.0.1 SIP/2.0\r\n" + via(c) + "Max-Forwards: 70\r\n"
                + "From: \"Rebalance Caller\" <sip:caller@127.0.0.1>;tag=" + c.fromTag + "\r\n"
                + "To: <sip:" + c.user + "@127.0.0.1>\r\nCall-ID: " + c.callId + "\r\nCSeq: 1 INVITE\r\n"
                + "Contact: <sip:caller@127.0.0.1:" + socket.getLocalPort() + ">\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp);
        timer.schedule(() -> sendInvite(c, Math.min(4_000, retransmitMillis * 2), attempt + 1), retransmitMillis,
                TimeUnit.MILLISECONDS);
    }

    private void cancel(Call c) {
        if (c.cancelSent || c.finalStatus != 0) {
            return;
        }
        c.cancelSent = true;
        sendCancel(c, 0);
    }

    private void sendCancel(Call c, int attempt) {
        if (c.cancelAnswered || c.finalStatus != 0 || attempt > 5) {
            return;
        }
        send("CANCEL sip:" + c.user + "@127.0.0.1 SIP/2.0\r\n" + via(c) + "Max-Forwards: 70\r\n"
                + "From: \"Rebalance Caller\" <sip:caller@127.0.0.1>;tag=" + c.fromTag + "\r\n"
                + "To: <sip:" + c.user + "@127.0.0.1>\r\nCall-ID: " + c.callId + "\r\nCSeq: 1 CANCEL\r\n"
                + "Content-Length: 0\r\n\r\n");
        timer.schedule(() -> sendCancel(c, attempt + 1), 1_000, TimeUnit.MILLISECONDS);
    }

    private void ack(Call c, String to) {
        send("ACK sip:" + c.user + "@127.0.0.1 SIP/2.0\r\n" + via(c) + "Max-Forwards: 70\r\n"
                + "From: \"Rebalance Caller\" <sip:caller@127.0.0.1>;tag=" + c.fromTag + "\r\n"
                + "To: " + to + "\r\nCall-ID: " + c.callId + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
    }

    private String via(Call c) {
        return "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=" + c.branch + ";rport\r\n";
    }

    private void send(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(b, b.length, proxy));
        } catch (IOException e) {
            // closed at the end of the drill
        }
    }

    private void receive() {
        byte[] buf = new byte[65_535];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            if (!msg.startsWith("SIP/2.0 ")) {
                continue; // no requests come to the caller in this drill
            }
            int status = Integer.parseInt(msg.substring(8, 11));
            Call c = calls.get(header(msg, "Call-ID", "i"));
            String cseq = header(msg, "CSeq", null);
            if (c == null || cseq == null) {
                continue;
            }
            if (cseq.endsWith("CANCEL")) {
                c.cancelAnswered = true;
                continue;
            }
            c.responded = true;
            if (status >= 200) {
                if (c.finalStatus == 0) {
                    c.finalAtMillis = System.currentTimeMillis();
                    c.finalStatus = status;
                }
                ack(c, header(msg, "To", "t")); // every final, retransmissions too
            } else if (status >= 180 && !c.cancelSent) {
                timer.schedule(() -> cancel(c), 500, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static String header(String msg, String name, String compact) {
        for (String line : msg.split("\r\n")) {
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String n = line.substring(0, colon).trim();
            if (n.equalsIgnoreCase(name) || (compact != null && n.equalsIgnoreCase(compact))) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() {
        pause();
        timer.shutdownNow();
        socket.close();
    }
}
