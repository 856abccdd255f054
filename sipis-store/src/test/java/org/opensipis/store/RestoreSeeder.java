package org.opensipis.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.core.settings.Secret;

/**
 * Benchmark helper (not a test): fills the embedded database of a settings directory with N
 * instances (two sealed secrets and two tokens each), as {@code sipis run} would store them, so
 * that {@code scripts/bench-restore.sh} can time the real process restoring them. Usage:
 * {@code RestoreSeeder <EmbeddedDirectory> <sipis.key> <n> <registrar port on 127.0.0.1> [expires s (3600)]}.
 * Account {@code i} is user {@code u<i>}, password {@code pw-<i>}, domain {@code example.com}, outbound
 * proxy 127.0.0.1 (scripts/bench-whole.sh provisions the same accounts at its registrar).
 */
public final class RestoreSeeder {

    private RestoreSeeder() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        SipisKey key = SipisKey.load(Path.of(args[1]));
        int n = Integer.parseInt(args[2]);
        int port = Integer.parseInt(args[3]);
        Duration expires = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 3600);
        DatabaseSettings db = new DatabaseSettings(Optional.empty(), dir, 4);
        RestartSettings restart = new RestartSettings(Duration.ofSeconds(1), Duration.ofSeconds(30));
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        try (Store store = Store.open(db, restart, key, "Seed", Clock.systemUTC())) {
            InstanceRows rows = new InstanceRows(key);
            try (Connection c = store.database().pool().getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET synchronous_commit = off");   // seeding only
                }
                c.setAutoCommit(false);
                List<InstanceRecord> batch = new ArrayList<>(1_000);
                for (int i = 0; i < n; i++) {
                    batch.add(record(i, port, expires, now));
                    if (batch.size() == 1_000 || i == n - 1) {
                        rows.saveAll(c, batch);
                        c.commit();
                        batch.clear();
                    }
                }
            }
        }
        System.out.printf("seeded %d instances in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
        Files.writeString(dir.resolveSibling("seeded"), Integer.toString(n));
    }

    private static InstanceRecord record(int i, int port, Duration expires, Instant now) {
        String sel = String.format("%08X%032X:%08X", i * 2_654_435_761L & 0xFFFF_FFFFL, (long) i, i);
        SipAccount account = new SipAccount("u" + i, "u" + i, Secret.of("pw-" + i), "example.com", Optional.of("127.0.0.1"), port,
                SipAccount.Transport.UDP, "User " + i, Optional.of(expires));
        List<DeviceToken> tokens = List.of(
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.example.app", "voip-" + i, now),
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, "com.example.app", "remote-" + i, now));
        return new InstanceRecord(sel, "com.example.app", false, account, Secret.of("app-" + i), tokens, now, false);
    }
}
