package org.opensipis.server.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.AdministratorSettings;
import org.opensipis.core.settings.HttpServerSettings;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.shard.Shard;
import org.opensipis.http.HttpLimits;
import org.opensipis.http.HttpServer;
import org.opensipis.http.HttpServices;
import org.opensipis.http.status.InstancePage;
import org.opensipis.http.status.InstanceView;
import org.opensipis.http.status.ServerStatus;

/**
 * HTTP registration ingest into the real store: one HttpServer on loopback over an embedded
 * PostgreSQL (fsync and synchronous commit on, as in production) on the same machine, N clients
 * posting distinct registrations back to back. Usage: {@code IngestBench [clients=8] [seconds=10]}.
 * Prints one Markdown table row: clients, seconds, registrations/s, p50, p99, p99.9 (ms), and CPU
 * ms per registration of this JVM (server and clients) / of the PostgreSQL processes.
 */
public final class IngestBench {

    private static final int REGISTRARS = 8;

    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        java.nio.file.Path data = java.nio.file.Files.createTempDirectory("sipis-ingest-bench");
        org.opensipis.core.settings.DatabaseSettings db = new org.opensipis.core.settings.DatabaseSettings(
                Optional.empty(), data.resolve("pgdata"), 8);
        org.opensipis.store.Store store = org.opensipis.store.Store.open(db,
                new org.opensipis.core.settings.RestartSettings(Duration.ofSeconds(1), Duration.ofSeconds(30)),
                org.opensipis.core.crypto.SipisKey.of(new byte[16]), "Bench", Clock.systemUTC());
        if (args.length > 2 && args[2].equals("nosync")) {
            // diagnosis only: how fast without waiting for the WAL flush at commit
            String port = store.describe().replaceAll(".*127\\.0\\.0\\.1:(\\d+).*", "$1");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port
                    + "/sipis", "postgres", ""); java.sql.Statement st = c.createStatement()) {
                st.execute("ALTER SYSTEM SET synchronous_commit = off");
                st.execute("SELECT pg_reload_conf()");
            }
        }
        ServerStatus status = new ServerStatus() {
            public String name() {
                return "Bench";
            }

            public String versionString() {
                return "0";
            }

            public long versionNumber() {
                return 0;
            }

            public String build() {
                return "bench";
            }

            public Duration uptime() {
                return Duration.ZERO;
            }

            public List<Integer> ownerQueueSizes() {
                return List.of();
            }
        };
        InstanceView view = new InstanceView() {
            public Map<RegistrationState, Long> countByState() {
                return new EnumMap<>(RegistrationState.class);
            }

            public InstancePage page(String p, int o, int l) {
                return new InstancePage(0, List.of());
            }
        };
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HttpServices services = new HttpServices(store, Optional.empty(), true, Optional.empty(), Shard.all("Bench"),
                status, view, meters, Clock.systemUTC(), HttpLimits.DEFAULTS,
                // the production path: the real store admits with the default quotas (per registrar and
                // per user, counted under advisory locks) and the default per-source rate limit; each
                // request comes from its own address through a trusted proxy (X-Forwarded-For)
                new org.opensipis.http.abuse.AbuseControls(org.opensipis.core.settings.AbuseSettings.defaults(),
                        store, org.opensipis.core.abuse.HostResolver.NONE));
        try (HttpServer server = HttpServer.start(new HttpServerSettings("127.0.0.1", 0,
                HttpServerSettings.AuthenticationMethod.NONE), new AdministratorSettings("a", Secret.of("")), services)) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/sipis/register");
            IngestBench bench = new IngestBench();
            bench.run(uri, clients, 8);  // warm-up
            AtomicLong ok = new AtomicLong();
            long pgPid = Long.parseLong(java.nio.file.Files.readAllLines(data.resolve("pgdata/postmaster.pid")).get(0).trim());
            long jvm0 = ProcessCpu.jvmNanos();
            long pg0 = ProcessCpu.treeNanos(pgPid);
            long[][] latencies = bench.run(uri, clients, seconds, ok);
            long jvm = ProcessCpu.jvmNanos() - jvm0;
            long pg = ProcessCpu.treeNanos(pgPid) - pg0;
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("| %d | %d | %.0f | %.2f | %.2f | %.2f | %.3f / %.3f |%n", clients, seconds,
                    all.length / (double) seconds, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999),
                    jvm / 1e6 / all.length, pg / 1e6 / all.length);
            if (ok.get() != all.length) {
                System.out.println("non-200 replies: " + (all.length - ok.get()) + ", e.g. " + bench.failures);
            }
        }
        meters.close();
        store.close();
    }

    /** The sequence numbering every request (selector, user, source address). */
    private final AtomicLong sequence = new AtomicLong();
    /** The first non-200 replies, shown with the result. */
    private final java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private void run(URI uri, int clients, int seconds) throws Exception {
        run(uri, clients, seconds, new AtomicLong());
    }

    /**
     * Each client is one blocking keep-alive connection writing a formatted request and reading
     * the status line, headers and body: a client as cheap as wrk's, so the figure is the
     * server's (java.net.http's client cost about as much CPU as the server it measured).
     */
    private long[][] run(URI uri, int clients, int seconds, AtomicLong ok) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            futures.add(pool.submit(() -> {
                long[] lat = new long[1 << 20];
                int n = 0;
                try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                    while (System.nanoTime() < end && n < lat.length) {
                        long seq = sequence.getAndIncrement();
                        String sel = String.format("%08X%032X:%08X", id, seq, n);
                        byte[] body = body(sel, seq).getBytes(StandardCharsets.UTF_8);
                        byte[] head = ("POST " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority()
                                + "\r\nContent-Type: application/json\r\nX-Forwarded-For: 10." + ((seq >> 16) & 255) + "."
                                + ((seq >> 8) & 255) + "." + (seq & 255) + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII);
                        long t0 = System.nanoTime();
                        out.write(head);
                        out.write(body);
                        out.flush();
                        Reply r = Reply.read(in);
                        lat[n++] = System.nanoTime() - t0;
                        if (r.status() == 200) {
                            ok.incrementAndGet();
                        } else if (failures.size() < 5) {
                            failures.add(r.status() + " " + r.body());
                        }
                    }
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        long[][] out = new long[clients][];
        for (int c = 0; c < clients; c++) {
            out[c] = futures.get(c).get();
        }
        pool.shutdown();
        return out;
    }

    /** One HTTP/1.1 response with a Content-Length body. */
    private record Reply(int status, String body) {

        static Reply read(InputStream in) throws java.io.IOException {
            StringBuilder line = new StringBuilder();
            int status = -1;
            int length = 0;
            while (true) {
                line.setLength(0);
                int b;
                while ((b = in.read()) != '\n') {
                    if (b < 0) {
                        throw new java.io.EOFException("connection closed by the server");
                    }
                    if (b != '\r') {
                        line.append((char) b);
                    }
                }
                if (line.length() == 0) {
                    break;
                }
                String h = line.toString();
                if (status < 0) {
                    status = Integer.parseInt(h.substring(9, 12));
                } else if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            return new Reply(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    /** Distinct users, spread over {@value #REGISTRARS} registrars (a service with several providers). */
    private static String body(String selector, long seq) {
        return "{\"selector\":\"" + selector + "\",\"appId\":\"com.example.app\",\"appSecret\":\"s\","
                + "\"account\":{\"user\":\"u" + seq + "\",\"password\":\"p\",\"domain\":\"pbx" + (seq % REGISTRARS)
                + ".example.com\"},"
                + "\"tokens\":[{\"platform\":\"FCM\",\"kind\":\"INCOMING_CALL\",\"token\":\"t" + selector.hashCode() + "\"}]}";
    }
}
