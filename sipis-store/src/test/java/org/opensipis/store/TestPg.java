package org.opensipis.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.OpenString;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.core.settings.Secret;

/**
 * One real PostgreSQL (zonky) per test class; each test takes a fresh database in it.
 * Can be stopped and started again on the same data directory and port (outage tests).
 */
final class TestPg implements AutoCloseable {

    static final SipisKey KEY = SipisKey.of(new byte[16]);
    static final RestartSettings FAST = new RestartSettings(Duration.ofMillis(100), Duration.ofHours(1));
    static final Instant T0 = Instant.parse("2026-11-30T01:02:03.456Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dir;
    private final int port;
    private EmbeddedDatabase pg;

    private TestPg(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.pg = EmbeddedDatabase.start(dir, port);
    }

    static TestPg start() {
        try {
            return new TestPg(Files.createTempDirectory("sipis-store-test"), freePort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    void stop() {
        pg.close();
        pg = null;
    }

    void restart() {
        pg = EmbeddedDatabase.start(dir, port);
    }

    /** A new, empty database in this server. */
    DatabaseSettings newDatabase() {
        String name = "t" + DATABASES.incrementAndGet();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return settings(name);
    }

    DatabaseSettings settings(String dbname) {
        return new DatabaseSettings(Optional.of(OpenString.parse("host=127.0.0.1 port=" + port + " dbname=" + dbname
                + " user=postgres")), dir.resolve("unused"), 4);
    }

    Connection connect(String dbname) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + dbname, "postgres", "");
    }

    static String dbname(DatabaseSettings s) {
        return s.openString().orElseThrow().get("dbname").orElseThrow();
    }

    static Store open(DatabaseSettings db, String serverName) {
        return Store.open(db, FAST, KEY, serverName, java.time.Clock.systemUTC(),
                new Store.Options(0, Duration.ofMillis(500)));
    }

    static InstanceRecord record(String selector, String appId, String password) {
        SipAccount account = new SipAccount("u" + selector.substring(0, 4), "auth-" + selector.substring(0, 4),
                Secret.of(password), "sip.example.org", Optional.of("proxy.example.org"), 5080,
                SipAccount.Transport.TLS, "Alice " + selector.substring(0, 2), Optional.of(Duration.ofSeconds(600)));
        List<DeviceToken> tokens = List.of(
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, appId, "voip-" + selector, T0),
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, appId, "remote-" + selector,
                        T0.plus(1, ChronoUnit.SECONDS)));
        return new InstanceRecord(selector, appId, selector.hashCode() % 2 == 0, account,
                Secret.of("app-secret-" + selector), tokens, T0.plusMillis(7), false);
    }

    @Override
    public void close() {
        if (pg != null) {
            pg.close();
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // temp files; best effort
        }
    }
}
