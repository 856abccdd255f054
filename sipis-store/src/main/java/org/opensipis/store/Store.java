package org.opensipis.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.opensipis.core.abuse.Admission;
import org.opensipis.core.abuse.AdmissionStore;
import org.opensipis.core.abuse.Origin;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.call.CallLog;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.core.shard.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL store of one SIPIS process: the {@link InstanceStore} and {@link CallLog}
 * ports, shard loading, the write-behind {@link StateWriter}, change notifications and key
 * rotation, over one
 * HikariCP pool ("sipis-store") and, with no {@code Database[OpenString]}, an embedded
 * PostgreSQL. Open it once at start, close it at shutdown (which writes pending state).
 */
public final class Store implements InstanceStore, AdmissionStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Store.class);
    private static final Duration LISTEN_WAIT = Duration.ofSeconds(5);

    /** Knobs tests and benchmarks need; production uses {@link #DEFAULTS}. */
    record Options(int embeddedPort, Duration maxBackoff) {
    }

    static final Options DEFAULTS = new Options(0, StateWriter.MAX_BACKOFF);

    private final String serverName;
    private final Database db;
    private final StoreIo io;
    private final PgInstanceStore instances;
    private final PgAdmissions admissions;
    private final PgCallLog callLog;
    private final ShardLoader loader;
    private final StateWriter writer;
    private final Resealer resealer;
    private final RestartSettings restart;
    private final Duration maxBackoff;
    private final InstanceRows rows;
    private final PgLeases leases;
    private final RangeLoader rangeLoader;
    private ChangeListener listener;   // guarded by this
    private volatile Instant loadStartedAt;

    private Store(String serverName, Database db, DatabaseSettings database, SipisKey key, RestartSettings restart,
                  Options options, Clock clock) {
        this.serverName = serverName;
        this.db = db;
        this.restart = restart;
        this.maxBackoff = options.maxBackoff();
        this.rows = new InstanceRows(key);
        this.io = new StoreIo(db.pool(), Math.max(2, database.poolSize()));
        this.instances = new PgInstanceStore(io, rows);
        this.admissions = new PgAdmissions(io, rows);
        this.callLog = new PgCallLog(io, key, serverName);
        this.loader = new ShardLoader(db.pool(), rows);
        this.writer = new StateWriter(db.pool(), serverName, restart.savePeriod(), options.maxBackoff(), clock);
        this.resealer = new Resealer(db.pool());
        this.leases = new PgLeases(db.pool());
        this.rangeLoader = new RangeLoader(db.pool(), rows);
    }

    /** The {@code shard_leases} table (ownership of selector prefixes). Blocking calls. */
    public PgLeases leases() {
        return leases;
    }

    /**
     * Streams the instances of one selector prefix, each with the newest state any process wrote
     * for it (its Call-ID and CSeq, for the process that takes the prefix over), into the sink on
     * the caller's thread. Blocking.
     *
     * @return how many instances were delivered
     */
    public long loadPrefix(org.opensipis.core.shard.SelectorPrefix prefix, Consumer<LoadedInstance> sink) {
        return rangeLoader.load(prefix, sink);
    }

    /**
     * Connects (or starts the embedded PostgreSQL), migrates the schema and starts the state
     * writer. Blocking; call once at start-up.
     *
     * @param database   {@code <Database>} settings
     * @param restart    {@code <Restart>} settings (SavePeriod, PollPeriod)
     * @param key        the installation's sipis.key, to seal and open stored secrets
     * @param serverName this process's {@code Server[Name]}, the owner of the states it writes
     * @param clock      the clock for outage durations
     * @throws StoreException naming the setting when the open string is unusable or the database
     *                        cannot be reached or migrated (the message never holds the password)
     */
    public static Store open(DatabaseSettings database, RestartSettings restart, SipisKey key, String serverName,
                             Clock clock) {
        return open(database, restart, key, serverName, clock, DEFAULTS);
    }

    static Store open(DatabaseSettings database, RestartSettings restart, SipisKey key, String serverName, Clock clock,
                      Options options) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(serverName, "serverName");
        Database db = Database.open(database, options.embeddedPort());
        return new Store(serverName, db, database, key, restart, options, clock);
    }

    public String serverName() {
        return serverName;
    }

    /** Where the data lives, password masked (for the log and {@code sipis check}). */
    public String describe() {
        return db.embedded().map(e -> "embedded PostgreSQL on 127.0.0.1:" + e.port() + ", data in " + e.dataDirectory())
                .orElse(db.shown());
    }

    @Override
    public CompletableFuture<Void> saveRegistration(InstanceRecord record) {
        return instances.saveRegistration(record);
    }

    @Override
    public CompletableFuture<Optional<InstanceRecord>> find(String selector) {
        return instances.find(selector);
    }

    @Override
    public CompletableFuture<Boolean> delete(String selector) {
        return instances.delete(selector);
    }

    @Override
    public CompletableFuture<Void> recordAppContact(String selector, java.time.Instant at) {
        return instances.recordAppContact(selector, at);
    }

    @Override
    public CompletableFuture<Boolean> removeToken(String selector, String token) {
        return instances.removeToken(selector, token);
    }

    @Override
    public CompletableFuture<Admission> admit(InstanceRecord record, Origin origin, Quotas quotas) {
        return admissions.admit(record, origin, quotas);
    }

    @Override
    public CompletableFuture<java.util.Map<String, Origins>> origins(java.util.Collection<String> selectors) {
        return admissions.origins(selectors);
    }

    /**
     * Streams the instances the shard owns, each with this server name's last state, into the
     * sink on the caller's thread (blocking, for start-up). Other shards' rows are never read
     * into memory beyond the range scan's filter.
     *
     * @return how many instances were delivered
     * @throws StoreException if the database fails during the load
     */
    public long loadShard(Shard shard, Consumer<LoadedInstance> sink) {
        if (!shard.serverName().equals(serverName)) {
            throw new IllegalArgumentException("shard " + shard + " is for server " + shard.serverName()
                    + ", but this store was opened for " + serverName);
        }
        long t0 = System.nanoTime();
        loadStartedAt = databaseTime();
        long n;
        writer.hold(true);   // the states the sink publishes are written after the load
        try {
            n = loader.load(shard, sink);
        } finally {
            writer.hold(false);
        }
        LOG.info("Loaded {} instance(s) of {} in {} ms", n, shard, (System.nanoTime() - t0) / 1_000_000);
        return n;
    }

    /** The database clock, so the catch-up after the load does not depend on this host's clock. */
    private Instant databaseTime() {
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        } catch (SQLException e) {
            throw new StoreException("cannot load the instances of shard: " + Failures.describe(e), e);
        }
    }

    /**
     * The missed calls, undelivered text messages and badge counts of every instance, shared by
     * all processes on this database and kept across restarts. One instance per store; its
     * futures complete on {@code sipis-store-io-*}. Recording for a selector with no registration
     * fails the future with a {@link StoreException} naming the selector.
     */
    public CallLog callLog() {
        return callLog;
    }

    /** The write-behind queue for this server name's instance states. */
    public StateWriter stateWriter() {
        return writer;
    }

    /**
     * Reports the connection pool's metrics (HikariCP's {@code hikaricp_connections*}, tag
     * {@code pool="sipis-store"}) to a Micrometer registry. Call once, after {@link #open}.
     */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        db.bindMetrics(registry);
    }

    /** False while the database is unreachable (for metrics and /stats). */
    public boolean isDatabaseAvailable() {
        return writer.isDatabaseAvailable();
    }

    /**
     * Starts delivering the registrations of {@code shard} changed or deleted by any process, in
     * batches read set-based (never one query per selector): LISTEN/NOTIFY within about a second,
     * a catch-up read right after every LISTEN (the first one included) of everything changed
     * since the shard load began (or since {@code Restart[PollPeriod]} ago without a load), and a
     * safety-net read every {@code Restart[PollPeriod]}. The consumer runs on
     * {@code sipis-store-listener} or {@code sipis-store-poll}; it must hand the changes to their
     * owners and return. A change may arrive more than once; a deletion may name a selector this
     * process does not hold. None of this goes through the bounded queue of the
     * {@code InstanceStore} calls. Returns once the LISTEN connection is up (at most 5 s; polling
     * covers a database that is slow to answer).
     *
     * @throws IllegalStateException if already listening
     */
    public void listen(Shard shard, Consumer<RegistrationChanges> onChanges) {
        listen(shard, onChanges, ChangeListener.OVERLAP);
    }

    /** The listener started by {@link #listen}, or null (tests). */
    synchronized ChangeListener listener() {
        return listener;
    }

    /** {@link #listen(Shard, Consumer)} with the poll's look-back for late commits (tests shorten it). */
    synchronized void listen(Shard shard, Consumer<RegistrationChanges> onChanges, Duration overlap) {
        if (listener != null) {
            throw new IllegalStateException("already listening for registration changes");
        }
        if (!shard.serverName().equals(serverName)) {
            throw new IllegalArgumentException("shard " + shard + " is for server " + shard.serverName()
                    + ", but this store was opened for " + serverName);
        }
        listener = new ChangeListener(db, new ChangeReader(rows, shard), Objects.requireNonNull(onChanges, "onChanges"),
                restart.pollPeriod(), maxBackoff, loadStartedAt, overlap);
        listener.start();
        try {
            // so that a process opens its HTTP and app interfaces only once it hears about changes
            if (!listener.awaitListening(LISTEN_WAIT)) {
                LOG.warn("LISTEN for registration changes is not up after {}; polling every {} until it is",
                        LISTEN_WAIT, restart.pollPeriod());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Seals again, with {@code key}'s current key, every stored secret sealed with a retired one.
     * Blocking; safe while servers run.
     *
     * @return how many secrets were sealed again
     */
    public int reseal(SipisKey key) {
        return resealer.reseal(key);
    }

    /**
     * Whether the database answers now: borrows a pooled connection and validates it. Blocking
     * (at most the pool's 5 s connection timeout plus {@code timeout}); call it from a health
     * thread, never from an owner or an HTTP worker.
     */
    public boolean databaseReachable(Duration timeout) {
        try (java.sql.Connection c = db.pool().getConnection()) {
            return c.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (java.sql.SQLException | RuntimeException e) {
            LOG.debug("Database health check failed: {}", Failures.describe(e));
            return false;
        }
    }

    /** True while the LISTEN connection is up (false before {@link #listen}). */
    public synchronized boolean isListening() {
        return listener != null && listener.isListening();
    }

    /** For tests in this package. */
    Database database() {
        return db;
    }

    /** Stops listening, writes pending states (up to 10 s), closes the pool and the embedded server. */
    @Override
    public void close() {
        synchronized (this) {
            if (listener != null) {
                listener.close();
            }
        }
        writer.close();
        io.close();
        db.close();
    }
}
