package org.opensipis.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL used when no {@code Database[OpenString]} is set: the real server
 * binaries (zonky), listening on 127.0.0.1 only, with a persistent data directory
 * ({@code Database[EmbeddedDirectory]}) that survives restarts. It holds a database
 * {@value #DATABASE} owned by the {@code postgres} superuser (local trust authentication).
 */
final class EmbeddedDatabase implements AutoCloseable {

    static final String DATABASE = "sipis";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres pg;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres pg, Path dataDirectory) {
        this.pg = pg;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts PostgreSQL on the data directory (initialised on first use).
     *
     * @param port a TCP port on 127.0.0.1, or 0 to pick a free one
     */
    static EmbeddedDatabase start(Path dataDirectory, int port) {
        return start(dataDirectory, port, true);
    }

    /**
     * @param durable fsync on (production); tests pass false for speed (zonky's default "-F")
     */
    static EmbeddedDatabase start(Path dataDirectory, int port, boolean durable) {
        Path dir = dataDirectory.toAbsolutePath();
        boolean fresh = !Files.exists(dir.resolve("postgresql.conf"));
        try {
            Files.createDirectories(dir);
            OrphanPostmaster.stopIfRunning(dir);
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off")
                    .setPGStartupWait(java.time.Duration.ofSeconds(30));
            if (port > 0) {
                b.setPort(port);
            }
            EmbeddedPostgres pg = b.start();
            EmbeddedDatabase db = new EmbeddedDatabase(pg, dir);
            db.createDatabase();
            LOG.info("Embedded PostgreSQL running on 127.0.0.1:{} with its data in {}{}",
                    pg.getPort(), dir, fresh ? " (created now)" : "");
            return db;
        } catch (IOException | RuntimeException e) {
            throw new StoreException("cannot start the embedded PostgreSQL in Database[EmbeddedDirectory] " + dir
                    + ": " + e.getMessage() + " (is another SIPIS process using this directory?)", e);
        }
    }

    private void createDatabase() {
        try (Connection c = pg.getPostgresDatabase().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, DATABASE);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8' TEMPLATE template0");
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot create database " + DATABASE + " in the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    int port() {
        return pg.getPort();
    }

    Path dataDirectory() {
        return dataDirectory;
    }

    /** The libpq form used to connect to it: 127.0.0.1, this port, database sipis, user postgres. */
    String openString() {
        return "host=127.0.0.1 port=" + pg.getPort() + " dbname=" + DATABASE + " user=postgres";
    }

    @Override
    public void close() {
        try {
            pg.close();
            LOG.info("Embedded PostgreSQL stopped; its data stays in {}", dataDirectory);
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL in {} did not stop cleanly: {}", dataDirectory, e.getMessage());
        }
    }
}
