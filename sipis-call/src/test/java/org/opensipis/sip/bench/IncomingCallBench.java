package org.opensipis.sip.bench;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opensipis.core.call.InMemoryCallLog;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.settings.IncomingCallSettings;
import org.opensipis.core.settings.RejectWith;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.PushPolicy;
import org.opensipis.push.apns.ApnsProvider;
import org.opensipis.sip.call.CallConfig;
import org.opensipis.sip.call.Directory;
import org.opensipis.sip.call.IncomingListener;
import org.opensipis.sip.call.IncomingRequests;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.testing.ApnsMock;
import org.opensipis.sip.testing.Stack;
import org.opensipis.sip.transport.SipEndpoint;
import org.opensipis.sip.transport.TransportConfig;

/**
 * INVITE → first 180 and INVITE → APNs request received by Pushy's MockApnsServer (TLS, token
 * auth), p50/p99, at fixed call rates. A loopback UDP client plays the proxy and sends INVITEs
 * to our SIP socket; every call goes to a different instance with one VoIP token; the real
 * push dispatcher and APNs provider push them. Run with scripts/bench-incoming.sh.
 * Args: [seconds per rate=10] [rates=50,200]
 */
public final class IncomingCallBench {

    private static final Pattern CALL_ID = Pattern.compile("\"callId\":\"([^\"]+)\"");

    private IncomingCallBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int[] rates = Arrays.stream((args.length > 1 ? args[1] : "50,200").split(",")).mapToInt(Integer::parseInt).toArray();
        Path dir = Files.createTempDirectory("sipis-bench-incoming");
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Map<String, Long> pushed = new ConcurrentHashMap<>();
        Map<String, Long> ringing = new ConcurrentHashMap<>();
        try (ApnsMock apns = new ApnsMock(dir)) {
            apns.onReceived = r -> {
                Matcher m = CALL_ID.matcher(r.payload());
                if (m.find()) {
                    pushed.putIfAbsent(m.group(1), r.nanos());
                }
            };
            ApnsProvider provider = apns.provider();
            PushDispatcher push = PushDispatcher.builder(List.of(apns.route()), new NullStore(), route -> provider)
                    .policy(new PushPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 3, 10_000, 50,
                            Duration.ofSeconds(30))).build();
            List<Owner> owners = List.of(new ThreadOwner("sipis-sip-owner-0"), new ThreadOwner("sipis-sip-owner-1"));
            int instances = 40_000;
            Map<String, InstanceRecord> records = new HashMap<>();
            for (int i = 0; i < instances; i++) {
                String sel = String.format("%08X", i);
                records.put("s" + sel, Stack.instance(sel, "u" + i, "pw", 5060));
            }
            Directory dirx = user -> {
                InstanceRecord r = records.get(user);
                return r == null ? Optional.empty() : Optional.of(new Directory.Callee(r.selector(), r,
                        owners.get(Math.floorMod(r.selector().hashCode(), owners.size()))));
            };
            CallConfig cc = new CallConfig(new IncomingCallSettings(Duration.ofMinutes(10), Duration.ofMinutes(10),
                    new RejectWith(480, "Temporarily Unavailable")), List.of(), "SIPIS-bench", Optional.empty(),
                    Clock.systemUTC(), new SecureRandom(), 500, 100_000, 5);
            IncomingRequests incoming = new IncomingRequests(cc, dirx, push, new InMemoryCallLog(), IncomingListener.NONE);
            TransportConfig tc = new TransportConfig("127.0.0.1", 1, Optional.empty(), List.of(), false,
                    Duration.ofSeconds(30), Duration.ofSeconds(5));
            try (SipEndpoint transport = SipEndpoint.open(tc,
                    ep -> new SipEndpoint.Routes(incoming::onRequest, List.of(), flow -> { }));
                 DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                client.setReceiveBufferSize(8 * 1024 * 1024);
                client.setSoTimeout(200);
                InetSocketAddress server = new InetSocketAddress("127.0.0.1", transport.udpPort());
                Thread reader = new Thread(() -> read(client, ringing), "bench-reader");
                reader.setDaemon(true);
                reader.start();
                int next = 0;
                next = run(client, server, 100, 10, next, "warm", sent); // JIT, TLS and HTTP/2 warm-up
                waitFor(sent, pushed, ringing, "warm");
                StringBuilder out = new StringBuilder();
                out.append("| calls/s | calls | first 180 p50 | first 180 p99 | APNs received p50 | APNs received p99 |\n");
                out.append("|---|---|---|---|---|---|\n");
                for (int rate : rates) {
                    String tag = "r" + rate;
                    next = run(client, server, rate, seconds, next, tag, sent);
                    waitFor(sent, pushed, ringing, tag);
                    long[] r180 = latencies(sent, ringing, tag);
                    long[] rPush = latencies(sent, pushed, tag);
                    out.append(String.format("| %d | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n", rate, r180.length,
                            q(r180, 0.5), q(r180, 0.99), q(rPush, 0.5), q(rPush, 0.99)));
                    System.out.printf("rate %d/s: %d calls, %d rang, %d pushed%n", rate, count(sent, tag),
                            r180.length, rPush.length);
                }
                System.out.print(out);
                System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
                System.out.println(incoming.stats());
            }
            push.close();
            for (Owner o : owners) {
                ((ThreadOwner) o).close();
            }
        }
    }

    private static int run(DatagramSocket client, InetSocketAddress server, int rate, int seconds, int next, String tag,
                           Map<String, Long> sent) throws Exception {
        int n = rate * seconds;
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String sel = String.format("%08X", next++);
            String callId = tag + "-" + i + "@bench";
            byte[] b = invite(sel, callId, client.getLocalPort(), i);
            sent.put(callId, System.nanoTime());
            client.send(new DatagramPacket(b, b.length, server));
        }
        return next;
    }

    private static void waitFor(Map<String, Long> sent, Map<String, Long> pushed, Map<String, Long> ringing, String tag) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long total = count(sent, tag);
        while (System.nanoTime() < deadline && (count(pushed, tag) < total || count(ringing, tag) < total)) {
            LockSupport.parkNanos(20_000_000L);
        }
    }

    private static long count(Map<String, Long> m, String tag) {
        return m.keySet().stream().filter(k -> k.startsWith(tag + "-")).count();
    }

    private static long[] latencies(Map<String, Long> sent, Map<String, Long> got, String tag) {
        List<Long> out = new ArrayList<>();
        sent.forEach((k, v) -> {
            Long g = got.get(k);
            if (k.startsWith(tag + "-") && g != null) {
                out.add(g - v);
            }
        });
        return out.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static double q(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static void read(DatagramSocket client, Map<String, Long> ringing) {
        byte[] buf = new byte[4096];
        while (!client.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                client.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (Exception e) {
                return;
            }
            long now = System.nanoTime();
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            if (text.startsWith("SIP/2.0 180")) {
                int i = text.indexOf("\r\nCall-ID: ");
                if (i >= 0) {
                    int end = text.indexOf("\r\n", i + 11);
                    ringing.putIfAbsent(text.substring(i + 11, end), now);
                }
            }
        }
    }

    private static byte[] invite(String sel, String callId, int port, int i) {
        String s = "INVITE sip:s" + sel + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK" + callId.hashCode() + "x" + i + "\r\n"
                + "From: \"Bench\" <sip:bench@127.0.0.1>;tag=b" + i + "\r\n"
                + "To: <sip:u@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:bench@127.0.0.1:" + port + ">\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class NullStore implements org.opensipis.core.instance.InstanceStore {
        @Override
        public java.util.concurrent.CompletableFuture<Void> saveRegistration(InstanceRecord record) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Optional<InstanceRecord>> find(String selector) {
            return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public java.util.concurrent.CompletableFuture<Boolean> delete(String selector) {
            return java.util.concurrent.CompletableFuture.completedFuture(false);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Boolean> removeToken(String selector, String token) {
            return java.util.concurrent.CompletableFuture.completedFuture(false);
        }
    }
}
