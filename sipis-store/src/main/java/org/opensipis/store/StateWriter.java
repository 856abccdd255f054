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
     * (a state written behind after a delete is dropped, not left as an orphan).
     */
    private static final String UPSERT_BATCH = "INSERT INTO instance_states (selector, server_name, state, reason, "
            + "registered_until, contact, call_id, cseq, changed_at) "
            + "SELECT x.sel, ?, x.st, x.rs, x.ru::timestamptz, x.co, x.ci, x.cs, x.ca::timestamptz FROM unnest(?::text[], "
            + "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]) AS x(sel, st, rs, ru, co, ci, cs, ca) "
            + "WHERE EXISTS (SELECT 1 FROM instances i WHERE i.selector = x.sel) "
            + "ON CONFLICT (selector, server_name) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, "
            + "registered_until = EXCLUDED.registered_until, contact = EXCLUDED.contact, call_id = EXCLUDED.call_id, "
            + "cseq = EXCLUDED.cseq, changed_at = EXCLUDED.changed_at, written_at = clock_timestamp()";
    private static final String UPSERT = "INSERT INTO instance_states (selector, server_name, state, reason, "
            + "registered_until, contact, call_id, cseq, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (selector, server_name) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, "
            + "registered_until = EXCLUDED.registered_until, contact = EXCLUDED.contact, call_id = EXCLUDED.call_id, "
            + "cseq = EXCLUDED.cseq, changed_at = EXCLUDED.changed_at, written_at = clock_timestamp()";

    private final DataSource ds;
    private final String serverName;
    private final Duration savePeriod;
    private final Duration maxBackoff;
    private final Clock clock;
    private final ConcurrentHashMap<String, InstanceState> pending = new ConcurrentHashMap<>();
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
        pending.put(state.selector(), state);
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
        if (pending.isEmpty()) {
            return;
        }
        List<InstanceState> batch = new ArrayList<>(Math.min(BATCH, pending.size()));
        for (InstanceState s : pending.values()) {
            batch.add(s);
            if (batch.size() == BATCH) {
                writeBatch(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            writeBatch(batch);
        }
    }

    private void writeBatch(List<InstanceState> batch) throws SQLException {
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
                for (int i = 0; i < n; i++) {
                    InstanceState s = batch.get(i);
                    sel[i] = s.selector();
                    st[i] = s.state().name();
                    rs[i] = s.reason();
                    ru[i] = s.registeredUntil().map(Object::toString).orElse(null);
                    co[i] = s.contact().orElse(null);
                    ci[i] = s.callId();
                    cs[i] = s.cseq();
                    ca[i] = s.changedAt().toString();
                }
                ps.setString(1, serverName);
                ps.setArray(2, c.createArrayOf("text", sel));
                ps.setArray(3, c.createArrayOf("text", st));
                ps.setArray(4, c.createArrayOf("text", rs));
                ps.setArray(5, c.createArrayOf("text", ru));
                ps.setArray(6, c.createArrayOf("text", co));
                ps.setArray(7, c.createArrayOf("text", ci));
                ps.setArray(8, c.createArrayOf("bigint", cs));
                ps.setArray(9, c.createArrayOf("text", ca));
                ps.executeUpdate();
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
    }

    /** A batch the database refused as data: find and report the bad rows, write the rest. */
    private void writeOneByOne(Connection c, List<InstanceState> batch) throws SQLException {
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (InstanceState s : batch) {
                try {
                    bind(ps, s);
                    ps.executeUpdate();
                    done(List.of(s));
                } catch (SQLException e) {
                    if (Failures.isOutage(e)) {
                        throw e;
                    }
                    pending.remove(s.selector(), s);
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

    private void done(List<InstanceState> batch) {
        for (InstanceState s : batch) {
            pending.remove(s.selector(), s);   // a newer state that arrived meanwhile stays queued
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
