package org.opensipis.store.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.OpenString;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.core.shard.Shard;
import org.opensipis.store.Store;
import org.opensipis.store.StateWriter;

/**
 * Store benchmark (not a test): stores N instances, loads them as one shard (and as half a
 * shard), and measures sustained write-behind state writes (synchronous commit, fsync on).
 * Uses a zonky PostgreSQL in a temporary directory unless {@code -Dsipis.bench.openString=...}
 * is given; the setup inserts run with asynchronous commit to save time.
 * Run with {@code scripts/bench-store.sh [instances]}.
 */
public final class StoreBench {

    private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");

    private StoreBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("sipis-store-bench");
        String open = System.getProperty("sipis.bench.openString", "");
        EmbeddedPostgres pg = null;
        if (open.isEmpty()) {
            // A durable server (fsync on), like the embedded default; setup runs with asynchronous commit.
            pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pgdata")).setCleanDataDirectory(true)
                    .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
            open = "host=127.0.0.1 port=" + pg.getPort() + " dbname=postgres user=postgres";
            synchronousCommit(pg, false);
        }
        DatabaseSettings db = new DatabaseSettings(Optional.of(OpenString.parse(open)), dir.resolve("unused"), 8);
        RestartSettings restart = new RestartSettings(Duration.ofMillis(100), Duration.ofHours(1));
        SipisKey key = SipisKey.of(SipisKey.generateRaw());
        Shard all = Shard.all("Bench");
        HostPort addr = HostPort.parse("127.0.0.1:5060");
        Shard half = Shard.filtered("Bench", List.of(
                new Backend(Optional.of("Bench"), SelectorPrefix.parse("0/1"), "", addr, Path.of("lb2.xml"), 1),
                new Backend(Optional.of("Other"), SelectorPrefix.parse("8/1"), "", addr, Path.of("lb2.xml"), 2)));
        List<String> selectors = new ArrayList<>(n);
        try (Store store = Store.open(db, restart, key, "Bench", Clock.systemUTC())) {
            System.out.printf("database: %s%n", store.describe());
            long t0 = System.nanoTime();
            Semaphore inFlight = new Semaphore(512);
            List<CompletableFuture<Void>> last = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String sel = String.format("%016X%08X:%08X", mix(i), i, i);
                selectors.add(sel);
                inFlight.acquire();
                CompletableFuture<Void> f = store.saveRegistration(record(sel, i));
                f.whenComplete((v, e) -> inFlight.release());
                if (i >= n - 512) {
                    last.add(f);
                }
            }
            inFlight.acquire(512);
            CompletableFuture.allOf(last.toArray(CompletableFuture[]::new)).get();
            report("save registrations (setup, asynchronous commit)", n, System.nanoTime() - t0);
        }
        if (pg != null) {
            synchronousCommit(pg, true);
        }
        try (Store store = Store.open(db, restart, key, "Bench", Clock.systemUTC())) {
            long t0 = System.nanoTime();
            int durable = Math.min(n, 2_000);
            for (int i = 0; i < durable; i++) {
                store.saveRegistration(record(selectors.get(i), i)).get();
            }
            report("save registrations again (synchronous commit, one at a time)", durable, System.nanoTime() - t0);

            StateWriter w = store.stateWriter();
            // each round twice, alternately: without leases, and under a lease, where every state
            // carries the epoch and the statement checks it (Lease Enabled); alternating keeps the
            // table's growing dead rows from favouring either
            long epoch = store.leases().take("Bench", org.opensipis.core.shard.SelectorPrefix.ALL,
                    java.time.Duration.ofHours(1)).lease().orElseThrow().epoch();
            for (int r = 1; r <= 2 * rounds; r++) {
                boolean fenced = r % 2 == 0;
                w.fence(selector -> fenced ? epoch : -1);
                long s0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    w.write(new InstanceState(selectors.get(i), "Bench", RegistrationState.REGISTERED, "",
                            Optional.of(T0.plusSeconds(3600)), Optional.of("<sip:b@127.0.0.1:5070;transport=tcp>"),
                            "call-" + i, 100L * r + i, T0.plusMillis(r)));
                }
                long queued = System.nanoTime() - s0;
                for (long waits = 0; w.pendingCount() > 0 && waits < 600_000; waits++) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);   // poll, leave the CPUs to PostgreSQL
                }
                report("state writes round " + (r + 1) / 2 + (fenced ? " under a lease (epoch fence)" : "")
                        + " (write() " + queued / 1_000_000 + " ms, drained)", n, System.nanoTime() - s0);
            }
            if (w.fencedCount() != 0) {
                throw new IllegalStateException(w.fencedCount() + " states fenced off under a held lease");
            }
        }
        for (int r = 1; r <= rounds; r++) {
            try (Store store = Store.open(db, restart, key, "Bench", Clock.systemUTC())) {
                AtomicLong tokens = new AtomicLong();
                long t0 = System.nanoTime();
                long loaded = store.loadShard(all, l -> tokens.addAndGet(l.record().tokens().size()));
                report("load whole shard round " + r + " (" + tokens.get() + " tokens)", loaded, System.nanoTime() - t0);
                t0 = System.nanoTime();
                loaded = store.loadShard(half, l -> tokens.addAndGet(l.record().tokens().size()));
                report("load half shard (0/1) round " + r, loaded, System.nanoTime() - t0);
            }
        }
        if (pg != null) {
            pg.close();
        }
        deleteTree(dir);
    }

    private static void synchronousCommit(EmbeddedPostgres pg, boolean on) throws java.sql.SQLException {
        try (java.sql.Connection c = pg.getPostgresDatabase().getConnection(); java.sql.Statement s = c.createStatement()) {
            // Per-database setting: it beats the server's command line and applies to new sessions.
            s.execute(on ? "ALTER DATABASE postgres RESET synchronous_commit"
                    : "ALTER DATABASE postgres SET synchronous_commit = off");
        }
    }

    private static long mix(long i) {
        long z = i * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 27);
    }

    private static InstanceRecord record(String sel, int i) {
        SipAccount account = new SipAccount("user" + i, "user" + i, Secret.of("password-" + i), "sip.example.org",
                Optional.empty(), 0, SipAccount.Transport.TCP, "User " + i, Optional.of(Duration.ofSeconds(600)));
        return new InstanceRecord(sel, "com.example.softphone", i % 10 == 0, account, Secret.of("app-" + i), List.of(
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.example.softphone",
                        "voip" + sel.replace(":", "") + "0123456789abcdef0123456789abcdef", T0),
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, "com.example.softphone",
                        "rmt" + sel.replace(":", "") + "0123456789abcdef0123456789abcdef", T0)),
                T0.plusSeconds(i), false);
    }

    private static void report(String what, long count, long nanos) {
        double s = nanos / 1e9;
        System.out.printf("%-70s %8d in %7.3f s = %9.0f /s%n", what, count, s, count / s);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
