package org.opensipis.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.OpenString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection side of the store: the embedded server if there is one, the HikariCP pool
 * ("sipis-store") and dedicated connections for LISTEN. Migrates the schema when opened.
 */
final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final ConnectionConfig config;
    private final HikariDataSource pool;
    private final Optional<EmbeddedDatabase> embedded;

    private Database(ConnectionConfig config, HikariDataSource pool, Optional<EmbeddedDatabase> embedded) {
        this.config = config;
        this.pool = pool;
        this.embedded = embedded;
    }

    /**
     * Connects (starting the embedded server when no open string is set) and migrates.
     *
     * @param embeddedPort port for the embedded server, 0 = any free port
     * @throws StoreException naming the setting, never the password
     */
    static Database open(DatabaseSettings settings, int embeddedPort) {
        if (settings.embedded()) {
            LOG.info("Database[OpenString] is not set: starting the embedded PostgreSQL (data in Database[EmbeddedDirectory] {})",
                    settings.embeddedDirectory().toAbsolutePath());
        }
        Optional<EmbeddedDatabase> embedded = settings.embedded()
                ? Optional.of(EmbeddedDatabase.start(settings.embeddedDirectory(), embeddedPort)) : Optional.empty();
        try {
            OpenString open = settings.openString().orElseGet(() -> OpenString.parse(embedded.orElseThrow().openString()));
            ConnectionConfig config = ConnectionConfig.from(open);
            HikariDataSource pool = pool(config, settings.poolSize());
            try {
                migrate(pool, config);
                LOG.info("Database ready: {} (pool of {} connections)", config.shown(), pool.getMaximumPoolSize());
                return new Database(config, pool, embedded);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        } catch (RuntimeException e) {
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }
    }

    private static HikariDataSource pool(ConnectionConfig config, int poolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("sipis-store");
        hc.setJdbcUrl(config.url());
        hc.setDataSourceProperties(config.properties());
        hc.setMaximumPoolSize(Math.max(2, poolSize));
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setInitializationFailTimeout(1);
        try {
            return new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException e) {
            throw new StoreException(ConnectionConfig.SETTING + " \"" + config.shown() + "\": cannot connect to "
                    + config.url() + ": " + Failures.describe(e), e);
        } catch (RuntimeException e) {
            throw new StoreException(ConnectionConfig.SETTING + " \"" + config.shown() + "\": " + Failures.describe(e), e);
        }
    }

    private static void migrate(DataSource ds, ConnectionConfig config) {
        try {
            var result = Flyway.configure(Database.class.getClassLoader())
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .table("sipis_schema_history")
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("Database schema migrated to version {} ({} migration(s))", result.targetSchemaVersion,
                        result.migrationsExecuted);
            }
        } catch (FlywayException e) {
            throw new StoreException("cannot migrate the schema of " + ConnectionConfig.SETTING + " \"" + config.shown()
                    + "\": " + e.getMessage(), e);
        }
    }

    /** Reports the pool's metrics ({@code hikaricp_*}, tag {@code pool="sipis-store"}) to the registry; once. */
    void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        pool.setMetricsTrackerFactory(new com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory(registry));
    }

    DataSource pool() {
        return pool;
    }

    /** A connection outside the pool, for LISTEN (a session that must stay the same). */
    Connection dedicated() throws SQLException {
        return DriverManager.getConnection(config.url(), config.properties());
    }

    String shown() {
        return config.shown();
    }

    Optional<EmbeddedDatabase> embedded() {
        return embedded;
    }

    @Override
    public void close() {
        pool.close();
        embedded.ifPresent(EmbeddedDatabase::close);
    }
}
