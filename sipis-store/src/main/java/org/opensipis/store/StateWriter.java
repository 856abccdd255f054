package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.opensipis.core.instance.InstanceState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write-behind of {@link InstanceState}. {@link #write} only records the newest state per
 * selector in a map (never blocks, safe from any owner thread); the {@code sipis-store-writer}
 * thread writes what is pending in batches every {@code Restart[SavePeriod]}.
 *
 * <p>While the database is unreachable the pending states stay in the map, so the backlog is
 * bounded by the number of instances; the outage is logged once when it starts and once when
 * it ends, and writing is retried with exponential backoff up to {@link #MAX_BACKOFF}. A state
 * the database refuses for a reason other than an outage is logged with its selector and
 * counted in {@link #rejectedCount()}, never dropped silently.
 */
public final class StateWriter implements AutoCloseable {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    static final int BATCH = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);
    /**
     * One statement per batch: the states as arrays, only those of instances that still exist
     * (a state written behind after a delete is dropped, not left as an orphan), and, with
     * leases, only those made under a lease this process still holds: a state carries the epoch
     * of the lease it was made under (null: none, as without leases or for the removal after a
     * hand-over), and is written only while a {@code shard_leases} row of this process with that
     * epoch or a later one covers its selector (a reload or a take of a wider prefix gives this
     * process's own rows new epochs; epochs only grow). A process that lost its lease (a paused
     * JVM, a partition) to another cannot have a late state accepted. The lease rows are a few dozen; the upsert stays on the primary
     * keys. Returns the rows fenced off and written.
     */
    /**
     * The selector lies in the lease row {@code l}: the bounds are padded to 64 hex digits, the
     * selector is padded (or cut) to as many for the comparison.
     */
    private static final String IN_LEASE = "rpad(x.sel, 64, '0') COLLATE \"C\" >= l.lower_bound"
            + " AND (l.upper_bound IS NULL OR rpad(x.sel, 64, '0') COLLATE \"C\" < l.upper_bound)";
    static final String UPSERT_BATCH = "WITH ins AS (INSERT INTO instance_states (selector, server_name, state, reason, "
            + "registered_until, contact, call_id, cseq, changed_at) "
            + "SELECT x.sel, ?, x.st, x.rs, x.ru::timestamptz, x.co, x.ci, x.cs, x.ca::timestamptz FROM unnest(?::text[], "
            + "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[])"
            + " AS x(sel, st, rs, ru, co, ci, cs, ca, ep) "
            + "WHERE EXISTS (SELECT 1 FROM instances i WHERE i.selector = x.sel) "
            + "AND (x.ep IS NULL OR EXISTS (SELECT 1 FROM shard_leases l WHERE l.owner = ? AND l.epoch >= x.ep AND "
            + IN_LEASE + ")) "
            + "ON CONFLICT (selector, server_name) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, "
            + "registered_until = EXCLUDED.registered_until, contact = EXCLUDED.contact, call_id = EXCLUDED.call_id, "
            + "cseq = EXCLUDED.cseq, changed_at = EXCLUDED.changed_at, written_at = clock_timestamp() RETURNING 1) "
            // the same snapshot as the insert: the states it left out for want of their lease
            + "SELECT (SELECT count(*) FROM unnest(?::text[], ?::bigint[]) AS x(sel, ep) WHERE x.ep IS NOT NULL"
            + " AND NOT EXISTS (SELECT 1 FROM shard_leases l WHERE l.owner = ? AND l.epoch >= x.ep AND " + IN_LEASE + ")),"
            + " (SELECT count(*) FROM ins)";
    private static final String UPSERT = "INSERT INTO instance_states (selector, server_name, state, reason, "
            + "registered_until, contact, call_id, cseq, changed_at) SELECT ?::text, ?::text, ?::text, ?::text, ?::timestamptz,"
            + " ?::text, ?::text, ?::bigint, ?::timestamptz "
            + "WHERE ?::bigint IS NULL OR EXISTS (SELECT 1 FROM shard_leases l WHERE l.epoch >= ? AND l.owner = ?"
            + " AND " + IN_LEASE.replace("x.sel", "?::text") + ") "
            + "ON CONFLICT (selector, server_name) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, "
            + "registered_until = EXCLUDED.registered_until, contact = EXCLUDED.contact, call_id = EXCLUDED.call_id, "
            + "cseq = EXCLUDED.cseq, changed_at = EXCLUDED.changed_at, written_at = clock_timestamp()";

    /** A state waiting to be written, with the epoch of the lease it was made under (-1: none). */
    private record Pending(InstanceState state, long epoch) {
    }

    private final DataSource ds;
    private final String serverName;
    private final Duration savePeriod;
    private final Duration maxBackoff;
    private final Clock clock;
    /**
     * What waits to be written. Replaced (under {@link #swap}'s write lock, on the writer thread) once
     * a backlog of more than {@link #SHRINK_ABOVE} drained: a map's table never shrinks, and a
     * restart's states kept 512 KB at 100,000 instances. Writers put under the read lock.
     */
    private volatile ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final java.util.concurrent.locks.ReentrantReadWriteLock swap = new java.util.concurrent.locks.ReentrantReadWriteLock();
    static final int SHRINK_ABOVE = 4096;
    private int pendingPeak;           // writer thread only
    /** The epoch of the lease this process holds over a selector now, or -1 (leases off, or none held). */
    private volatile java.util.function.ToLongFunction<String> epochOf = selector -> -1;
    private final AtomicLong fenced = new AtomicLong();
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Threads.named("sipis-store-writer", false));
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean available = true;
    private volatile boolean closed;
    private volatile boolean held;
    private Duration backoff;          // writer thread only
    private Instant outageSince;       // writer thread only

    StateWriter(DataSource ds, String serverName, Duration savePeriod, Duration maxBackoff, Clock clock) {
        this.ds = ds;
        this.serverName = serverName;
        this.savePeriod = savePeriod.isZero() || savePeriod.isNegative() ? Duration.ofSeconds(1) : savePeriod;
        this.maxBackoff = maxBackoff.compareTo(this.savePeriod) < 0 ? this.savePeriod : maxBackoff;
        this.clock = clock;
        this.backoff = this.savePeriod;
        executor.schedule(this::flushAndReschedule, this.savePeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Queues the state; a later state of the same selector replaces it.
     *
     * @throws IllegalArgumentException if the state belongs to another server name
     */
    public void write(InstanceState state) {
        if (!state.server().equals(serverName)) {
            throw new IllegalArgumentException("state of selector " + state.selector() + " is for server "
                    + state.server() + ", but this store writes for " + serverName);
        }
        Pending p = new Pending(state, epochOf.applyAsLong(state.selector()));
        java.util.concurrent.locks.Lock l = swap.readLock();
        l.lock();
        try {
            pending.put(state.selector(), p);
        } finally {
            l.unlock();
        }
    }

    /** On the writer thread, after a flush: a drained backlog leaves a small map behind. */
    private void shrinkIfDrained() {
        if (pendingPeak <= SHRINK_ABOVE || !pending.isEmpty()) {
            return;
        }
        java.util.concurrent.locks.Lock l = swap.writeLock();
        l.lock();
        try {
            if (pending.isEmpty()) {
                pending = new ConcurrentHashMap<>();
                pendingPeak = 0;
            }
        } finally {
            l.unlock();
        }
    }

    /** The most states found waiting at a flush since the map was last replaced (tests). */
    int pendingPeak() {
        return pendingPeak;
    }

    /**
     * With leases: each state is stamped, when queued, with the epoch of the lease this process
     * holds over its selector ({@code epochOf}, lock-free, -1 for none), and written only while
     * this process's lease row still has that epoch.
     */
    public void fence(java.util.function.ToLongFunction<String> epochOf) {
        this.epochOf = java.util.Objects.requireNonNull(epochOf, "epochOf");
    }

    /** States not written because the lease they were made under is no longer this process's. */
    public long fencedCount() {
        return fenced.get();
    }

    /** States waiting to be written (at most one per instance). */
    public int pendingCount() {
        return pending.size();
    }

    /** False from a failed write until the next successful one. */
    public boolean isDatabaseAvailable() {
        return available;
    }

    /** States written since start. */
    public long writtenCount() {
        return written.get();
    }

    /** States the database refused (not an outage): logged with their selector. */
    public long rejectedCount() {
        return rejected.get();
    }

    /**
     * Holds (true) or resumes (false) the periodic writes. The shard load holds them: the
     * states the restored instances publish meanwhile (one each) are coalesced and written after
     * it, instead of competing with the load for the database and the CPU.
     */
    void hold(boolean hold) {
        this.held = hold;
    }

    private void flushAndReschedule() {
        Duration next = savePeriod;
        try {
            if (held) {
                return;   // rescheduled in finally
            }
            flush();
            if (outageSince != null) {
                LOG.info("Database reachable again after {} s; all queued instance states written ({} pending now)",
                        Duration.between(outageSince, clock.instant()).toSeconds(), pending.size());
                available = true;
                outageSince = null;
            }
            backoff = savePeriod;
        } catch (SQLException | RuntimeException e) {
            if (outageSince == null) {
                outageSince = clock.instant();
                available = false;
                LOG.warn("Database unreachable ({}): keeping {} instance state(s) queued in memory and retrying",
                        Failures.describe(e), pending.size());
            }
            next = backoff;
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
        } finally {
            if (!closed) {
                executor.schedule(this::flushAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Writes everything pending now; throws on an outage, leaving the rest queued. */
    private void flush() throws SQLException {
        pendingPeak = Math.max(pendingPeak, pending.size());
        if (pending.isEmpty()) {
            shrinkIfDrained();
            return;
        }
        List<Pending> batch = new ArrayList<>(Math.min(BATCH, pending.size()));
        for (Pending s : pending.values()) {
            batch.add(s);
            if (batch.size() == BATCH) {
                writeBatch(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            writeBatch(batch);
        }
        shrinkIfDrained();
    }

    private void writeBatch(List<Pending> batch) throws SQLException {
        long refused;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(UPSERT_BATCH)) {
                int n = batch.size();
                String[] sel = new String[n];
                String[] st = new String[n];
                String[] rs = new String[n];
                String[] ru = new String[n];
                String[] co = new String[n];
                String[] ci = new String[n];
                Long[] cs = new Long[n];
                String[] ca = new String[n];
                Long[] ep = new Long[n];
                for (int i = 0; i < n; i++) {
                    InstanceState s = batch.get(i).state();
                    sel[i] = s.selector();
                    st[i] = s.state().name();
                    rs[i] = s.reason();
                    ru[i] = s.registeredUntil().map(Object::toString).orElse(null);
                    co[i] = s.contact().orElse(null);
                    ci[i] = s.callId();
                    cs[i] = s.cseq();
                    ca[i] = s.changedAt().toString();
                    ep[i] = batch.get(i).epoch() < 0 ? null : batch.get(i).epoch();
                }
                java.sql.Array sels = c.createArrayOf("text", sel);
                java.sql.Array eps = c.createArrayOf("bigint", ep);
                ps.setString(1, serverName);
                ps.setArray(2, sels);
                ps.setArray(3, c.createArrayOf("text", st));
                ps.setArray(4, c.createArrayOf("text", rs));
                ps.setArray(5, c.createArrayOf("text", ru));
                ps.setArray(6, c.createArrayOf("text", co));
                ps.setArray(7, c.createArrayOf("text", ci));
                ps.setArray(8, c.createArrayOf("bigint", cs));
                ps.setArray(9, c.createArrayOf("text", ca));
                ps.setArray(10, eps);
                ps.setString(11, serverName);
                ps.setArray(12, sels);
                ps.setArray(13, eps);
                ps.setString(14, serverName);
                try (java.sql.ResultSet r = ps.executeQuery()) {
                    r.next();
                    refused = r.getLong(1);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (Failures.isOutage(e)) {
                    throw e;
                }
                writeOneByOne(c, batch);
                return;
            }
        }
        done(batch);
        if (refused > 0) {
            written.addAndGet(-refused);
            fencedOff(refused, batch);
        }
    }

    /** Logs (once per batch, with an example) and counts states refused by the lease fence. */
    private void fencedOff(long refused, List<Pending> batch) {
        fenced.addAndGet(refused);
        Pending example = batch.stream().filter(p -> p.epoch() >= 0).findFirst().orElse(batch.get(0));
        LOG.warn("Not writing {} instance state(s) made under a lease this process no longer holds (e.g. selector {},"
                + " epoch {}): another process owns them now", refused, example.state().selector(), example.epoch());
    }

    /** A batch the database refused as data: find and report the bad rows, write the rest. */
    private void writeOneByOne(Connection c, List<Pending> batch) throws SQLException {
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Pending p : batch) {
                InstanceState s = p.state();
                try {
                    bind(ps, s);
                    if (p.epoch() < 0) {
                        ps.setNull(10, Types.BIGINT);
                        ps.setNull(11, Types.BIGINT);
                    } else {
                        ps.setLong(10, p.epoch());
                        ps.setLong(11, p.epoch());
                    }
                    ps.setString(12, serverName);
                    ps.setString(13, s.selector());
                    ps.setString(14, s.selector());
                    boolean refused = ps.executeUpdate() == 0;
                    done(List.of(p));
                    if (refused) {
                        written.decrementAndGet();
                        fencedOff(1, List.of(p));
                    }
                } catch (SQLException e) {
                    if (Failures.isOutage(e)) {
                        throw e;
                    }
                    pending.remove(s.selector(), p);
                    if ("23503".equals(e.getSQLState())) {
                        // the instance was deleted while this state waited: nothing to keep
                        LOG.debug("Not writing the state of deleted selector {}", s.selector());
                        continue;
                    }
                    rejected.incrementAndGet();
                    LOG.error("Database refused the state of selector {} ({}); it is not written", s.selector(),
                            e.getMessage());
                }
            }
        }
    }

    private void done(List<Pending> batch) {
        for (Pending s : batch) {
            pending.remove(s.state().selector(), s);   // a newer state that arrived meanwhile stays queued
        }
        written.addAndGet(batch.size());
    }

    private static void bind(PreparedStatement ps, InstanceState s) throws SQLException {
        ps.setString(1, s.selector());
        ps.setString(2, s.server());
        ps.setString(3, s.state().name());
        ps.setString(4, s.reason());
        if (s.registeredUntil().isPresent()) {
            ps.setObject(5, InstanceRows.ts(s.registeredUntil().get()));
        } else {
            ps.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        ps.setString(6, s.contact().orElse(null));
        ps.setString(7, s.callId());
        ps.setLong(8, s.cseq());
        ps.setObject(9, InstanceRows.ts(s.changedAt()));
    }

    /** Writes what is pending once more (waiting up to {@code timeout}) and stops; idempotent. */
    synchronized void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            executor.submit(() -> {
                flush();
                return null;
            }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("Stopping with {} instance state(s) not written: {}", pending.size(), Failures.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.error("Stopping with {} instance state(s) not written: the writer had already stopped", pending.size());
        } finally {
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
