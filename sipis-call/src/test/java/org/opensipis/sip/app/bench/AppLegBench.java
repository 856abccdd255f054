package org.opensipis.sip.app.bench;

import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.settings.TlsServerOptions;
import org.opensipis.sip.app.AppDirectory;
import org.opensipis.sip.app.AppLegConfig;
import org.opensipis.sip.app.AppLegServer;
import org.opensipis.sip.app.AppPresence;
import org.opensipis.sip.digest.DigestAuthorizer;
import org.opensipis.sip.digest.DigestChallenge;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.ThreadOwner;

/**
 * App leg throughput: C apps on their own TCP flows each loop REGISTER, 401, REGISTER with
 * digest, 200 for D seconds against a real server (owner thread, system clock). Prints
 * registrations per second and the latency of one full 401+200 exchange.
 * Args: [clients=50] [seconds=20].
 */
public final class AppLegBench {

    private AppLegBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Map<String, InstanceRecord> records = new ConcurrentHashMap<>();
        SipAccount account = new SipAccount("u", "u", Secret.of("p"), "provider.test", Optional.empty(), 5060,
                SipAccount.Transport.UDP, "U", Optional.empty());
        for (int i = 0; i < clients; i++) {
            String sel = String.format("%040X:%08X", i, i);
            records.put(sel, new InstanceRecord(sel, "com.example.app", false, account, Secret.of("secret-" + i),
                    List.of(), Instant.now(), false));
        }
        AppDirectory dir = new AppDirectory() {
            @Override
            public Optional<InstanceRecord> find(String selector) {
                return Optional.ofNullable(records.get(selector));
            }

            @Override
            public boolean owns(String selector, String appId) {
                return true;
            }
        };
        AtomicLong foreground = new AtomicLong();
        AppPresence presence = new AppPresence() {
            @Override
            public void foreground(String selector) {
                foreground.incrementAndGet();
            }

            @Override
            public void background(String selector) {
            }

            @Override
            public void progress(String selector, Optional<String> pairingId) {
            }
        };
        AppLegConfig cfg = new AppLegConfig("127.0.0.1", 0, false,
                new TlsServerOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()), "bench.test",
                Duration.ofMinutes(30), Duration.ofMinutes(1), 60, 3600, 5, 2);
        try (ThreadOwner owner = new ThreadOwner("sipis-app-owner");
             AppLegServer server = AppLegServer.start(cfg, dir, presence, owner, Clock.systemUTC())) {
            long warmupEnd = System.nanoTime() + 3_000_000_000L;
            long end = warmupEnd + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            List<long[]> latencies = new ArrayList<>();
            AtomicLong done = new AtomicLong();
            for (int i = 0; i < clients; i++) {
                String sel = String.format("%040X:%08X", i, i);
                long[] lat = new long[200_000];
                latencies.add(lat);
                int idx = i;
                Thread t = new Thread(() -> run(server.port(), sel, "secret-" + idx, warmupEnd, end, lat, done), "bench-app-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1])).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %d | %d s | %.0f | %.2f | %.2f | %.2f |%n", clients, seconds,
                    done.get() / (double) seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                    all[all.length - 1] / 1e6);
            System.out.printf(Locale.ROOT, "(registrations measured: %d, foreground calls in total: %d)%n", done.get(), foreground.get());
        }
    }

    private static void run(int port, String sel, String secret, long warmupEnd, long end, long[] lat, AtomicLong done) {
        int n = 0;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            BenchWire w = new BenchWire(s);
            String user = sel.replace(":", "%3A");
            int cseq = 0;
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                SipMessage challenge = w.exchange(request(user, ++cseq, null));
                DigestChallenge c = DigestChallenge.parse(challenge.header("www-authenticate").orElseThrow(), false);
                String auth = new DigestAuthorizer().authorize(c, sel, secret, "REGISTER", "sip:bench.test");
                SipMessage ok = w.exchange(request(user, ++cseq, auth));
                if (ok.status() != 200) {
                    throw new IllegalStateException("expected 200, got " + ok.startLine());
                }
                if (t0 >= warmupEnd && n < lat.length - 1) {
                    lat[n++] = System.nanoTime() - t0;
                    done.incrementAndGet();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("bench client " + sel + " failed", e);
        }
        lat[lat.length - 1] = n;
    }

    private static String request(String user, int cseq, String auth) {
        return "REGISTER sip:bench.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5555;branch=z9hG4bK-" + cseq + "\r\n"
                + "From: <sip:" + user + "@bench.test>;tag=b\r\nTo: <sip:" + user + "@bench.test>\r\n"
                + "Call-ID: bench-" + user + "\r\nCSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:app@127.0.0.1:5555;transport=tcp;ob>;reg-id=1\r\nExpires: 600\r\n"
                + (auth == null ? "" : "Authorization: " + auth + "\r\n") + "Content-Length: 0\r\n\r\n";
    }
}
