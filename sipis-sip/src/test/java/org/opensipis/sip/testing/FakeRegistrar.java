package org.opensipis.sip.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/**
 * A scriptable registrar on loopback (UDP and TCP, OS-chosen ports) for tests. By default it
 * challenges with Digest (configurable algorithm, qop, stale), checks the answer independently,
 * keeps bindings and answers 200 with every binding of the AoR. A script queue overrides the next
 * answers: a function from the request to the raw response text, or null to stay silent.
 */
public final class FakeRegistrar implements AutoCloseable {

    private static final Pattern PARAM = Pattern.compile("(\\w+)=(\"([^\"]*)\"|[^,\\s]+)");

    public final List<SipMessage> received = new CopyOnWriteArrayList<>();
    public final ConcurrentLinkedQueue<Function<SipMessage, String>> script = new ConcurrentLinkedQueue<>();
    /** Bindings: "user|contact-uri" → granted expires. */
    public final Map<String, Integer> bindings = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Integer>> byUser = new ConcurrentHashMap<>();
    public final Map<Long, AtomicInteger> perSecond = new ConcurrentHashMap<>();
    public final List<Socket> connections = new CopyOnWriteArrayList<>();
    /** Arrival times (ms) of every REGISTER, when {@link #recordArrivals} is set. */
    public final java.util.Queue<Long> arrivals = new ConcurrentLinkedQueue<>();
    public volatile boolean recordArrivals;
    /** Keep-alives seen: CRLF pairs before a message on TCP, short datagrams on UDP. */
    public final AtomicInteger keepAlives = new AtomicInteger();
    public volatile String realm = "fake.test";
    public volatile String algorithm = "MD5";
    public volatile String qop = "auth";
    public volatile boolean nextChallengeStale;
    public volatile int minExpires;
    public volatile int maxExpires = 3600;
    public volatile boolean challenge = true;
    /** While set, UDP requests are swallowed: a registrar that stopped answering. */
    public volatile boolean silent;
    /** Requests it swallows (recorded, never answered): e.g. those of some instances only. */
    public volatile java.util.function.Predicate<SipMessage> ignore = m -> false;
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final AtomicInteger nonces = new AtomicInteger();
    private volatile String currentNonce = "n0";
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile boolean closed;

    public FakeRegistrar() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        udp = new DatagramSocket(new InetSocketAddress(lo, 0));
        udp.setReceiveBufferSize(4 << 20);
        tcp = new ServerSocket(0, 50, lo);
        Thread u = new Thread(this::udpLoop, "fake-registrar-udp");
        u.setDaemon(true);
        u.setPriority(Thread.MAX_PRIORITY);
        u.start();
        Thread w = new Thread(this::udpWorker, "fake-registrar-udp-worker");
        w.setDaemon(true);
        w.start();
        Thread t = new Thread(this::acceptLoop, "fake-registrar-tcp");
        t.setDaemon(true);
        t.start();
    }

    public void addUser(String user, String password) {
        passwords.put(user, password);
    }

    public int udpPort() {
        return udp.getLocalPort();
    }

    public int tcpPort() {
        return tcp.getLocalPort();
    }

    /** REGISTER requests received (retransmissions included). */
    public long registers() {
        return received.stream().filter(m -> "REGISTER".equals(m.method())).count();
    }

    /** Makes the current nonce stale: the next check of it fails with stale=true. */
    public void expireNonce() {
        currentNonce = "n" + nonces.incrementAndGet();
        nextChallengeStale = true;
    }

    private final java.util.concurrent.BlockingQueue<DatagramPacket> inbox = new java.util.concurrent.LinkedBlockingQueue<>();

    /** Receives and timestamps only; parsing and answering happen on the worker. */
    private void udpLoop() {
        while (!closed) {
            DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
            try {
                udp.receive(p);
            } catch (IOException e) {
                inbox.add(new DatagramPacket(new byte[0], 0));
                return;
            }
            if (p.getLength() <= 4) {
                keepAlives.incrementAndGet();
                continue;
            }
            if (recordArrivals) {
                arrivals.add(System.nanoTime() / 1_000_000);
            }
            inbox.add(p);
        }
    }

    private void udpWorker() {
        while (!closed) {
            DatagramPacket p;
            try {
                p = inbox.take();
            } catch (InterruptedException e) {
                return;
            }
            if (p.getLength() == 0) {
                return;
            }
            if (silent) {
                continue;
            }
            SocketAddress from = p.getSocketAddress();
            handle(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8), resp -> {
                byte[] b = resp.getBytes(StandardCharsets.UTF_8);
                try {
                    udp.send(new DatagramPacket(b, b.length, from));
                } catch (IOException e) {
                    // closed
                }
            });
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                return;
            }
            connections.add(s);
            Thread t = new Thread(() -> readLoop(s), "fake-registrar-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void readLoop(Socket s) {
        try (s; InputStream in = s.getInputStream()) {
            for (int i = 0; i < 1_000_000 && !closed; i++) {
                String msg = readMessage(in, keepAlives);
                if (msg == null) {
                    return;
                }
                handle(msg, resp -> {
                    try {
                        synchronized (s) {
                            s.getOutputStream().write(resp.getBytes(StandardCharsets.UTF_8));
                        }
                    } catch (IOException e) {
                        // closed
                    }
                });
            }
        } catch (IOException e) {
            // connection gone
        }
    }

    private static String readMessage(InputStream in, AtomicInteger keepAlives) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (head.size() == 0 && (c == '\r' || c == '\n')) {
                if (c == '\n') {
                    keepAlives.incrementAndGet();
                }
                continue;
            }
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String h = head.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?im)^(content-length|l)\\s*:\\s*(\\d+)").matcher(h);
        int len = m.find() ? Integer.parseInt(m.group(2)) : 0;
        return h + new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }

    private void handle(String text, java.util.function.Consumer<String> reply) {
        SipMessage req;
        try {
            req = SipMessage.parse(text);
        } catch (RuntimeException e) {
            return;
        }
        if (req.isResponse()) {
            return;
        }
        if (!recordArrivals) {
            received.add(req);
        }
        perSecond.computeIfAbsent(System.currentTimeMillis() / 1000, k -> new AtomicInteger()).incrementAndGet();
        if (ignore.test(req)) {
            return;
        }
        Function<SipMessage, String> scripted = script.poll();
        String resp = scripted != null ? scripted.apply(req) : answer(req);
        if (resp != null) {
            reply.accept(resp);
        }
    }

    /** The default behaviour: digest check, Min-Expires, bindings. */
    public String answer(SipMessage req) {
        if (!"REGISTER".equals(req.method())) {
            return response(req, 200, "OK", "");
        }
        String user = HeaderParams.uriUser(HeaderParams.uri(req.header("to").orElseThrow()));
        if (challenge) {
            String auth = req.header("authorization").orElse(null);
            if (auth == null) {
                return challenge(req, false);
            }
            Map<String, String> p = params(auth);
            if (!currentNonce.equals(p.get("nonce"))) {
                boolean stale = nextChallengeStale;
                nextChallengeStale = false;
                return challenge(req, stale);
            }
            String pw = passwords.get(p.get("username"));
            if (pw == null || !expected(p, pw).equals(p.get("response"))) {
                return response(req, 403, "Forbidden", "");
            }
        }
        int headerExpires = req.intHeader("expires").orElse(3600);
        String aorPrefix = user + "|";
        Map<String, Integer> mine = byUser.computeIfAbsent(user, k -> new ConcurrentHashMap<>());
        // every Contact of the request, in order (one REGISTER may add one binding and remove another)
        for (String contact : req.headers("contact")) {
            int expires = headerExpires;
            String ce = HeaderParams.param(contact, "expires");
            if (ce != null) {
                expires = Integer.parseInt(ce);
            }
            if (expires > 0 && expires < minExpires) {
                return response(req, 423, "Interval Too Brief", "Min-Expires: " + minExpires + "\r\n");
            }
        }
        for (String contact : req.headers("contact")) {
            int expires = headerExpires;
            String ce = HeaderParams.param(contact, "expires");
            if (ce != null) {
                expires = Integer.parseInt(ce);
            }
            String uri = HeaderParams.uri(contact);
            if (expires == 0) {
                bindings.remove(aorPrefix + uri);
                mine.remove(uri);
            } else {
                bindings.put(aorPrefix + uri, Math.min(expires, maxExpires));
                mine.put(uri, Math.min(expires, maxExpires));
            }
        }
        StringBuilder contacts = new StringBuilder();
        mine.forEach((k, v) -> contacts.append("Contact: <").append(k).append(">;expires=").append(v).append("\r\n"));
        return response(req, 200, "OK", contacts.toString());
    }

    private String challenge(SipMessage req, boolean stale) {
        String q = qop == null ? "" : ", qop=\"" + qop + "\"";
        return response(req, 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"" + realm + "\", nonce=\"" + currentNonce
                + "\", opaque=\"op1\", algorithm=" + algorithm + q + (stale ? ", stale=true" : "") + "\r\n");
    }

    private String expected(Map<String, String> p, String password) {
        String alg = algorithm.toUpperCase().startsWith("SHA-256") ? "SHA-256" : "MD5";
        String ha1 = hash(alg, p.get("username") + ":" + realm + ":" + password);
        if (algorithm.toLowerCase().endsWith("-sess")) {
            ha1 = hash(alg, ha1 + ":" + p.get("nonce") + ":" + p.get("cnonce"));
        }
        String ha2 = "auth-int".equals(p.get("qop")) ? hash(alg, "REGISTER:" + p.get("uri") + ":" + hash(alg, ""))
                : hash(alg, "REGISTER:" + p.get("uri"));
        return p.get("qop") == null ? hash(alg, ha1 + ":" + p.get("nonce") + ":" + ha2)
                : hash(alg, ha1 + ":" + p.get("nonce") + ":" + p.get("nc") + ":" + p.get("cnonce") + ":" + p.get("qop") + ":" + ha2);
    }

    public static Map<String, String> params(String auth) {
        Map<String, String> out = new ConcurrentHashMap<>();
        Matcher m = PARAM.matcher(auth.substring(auth.indexOf(' ') + 1));
        while (m.find()) {
            out.put(m.group(1).toLowerCase(), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return out;
    }

    private static String hash(String alg, String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A response to {@code req} with the mandatory headers copied, plus {@code extra} header lines. */
    public static String response(SipMessage req, int code, String reason, String extra) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(code).append(' ').append(reason).append("\r\n");
        for (String via : req.headers("via")) {
            b.append("Via: ").append(via).append("\r\n");
        }
        b.append("From: ").append(req.header("from").orElseThrow()).append("\r\n");
        b.append("To: ").append(req.header("to").orElseThrow()).append(";tag=fk1\r\n");
        b.append("Call-ID: ").append(req.callId()).append("\r\n");
        b.append("CSeq: ").append(req.header("cseq").orElseThrow()).append("\r\n");
        b.append(extra);
        b.append("Content-Length: 0\r\n\r\n");
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        udp.close();
        tcp.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
