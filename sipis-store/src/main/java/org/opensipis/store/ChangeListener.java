package org.opensipis.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.opensipis.core.instance.InstanceRecord;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers registrations changed by any process, read set-based and in batches: LISTEN on a
 * dedicated connection (thread {@code sipis-store-listener}, reconnecting with backoff) collects
 * the notified selectors and reads them with one query per {@value ChangeReader#CHUNK}; a poll
 * on the same thread and connection reads by {@code instances.changed_at} and
 * {@code instance_deletions.deleted_at} within the shard's selector ranges right after every
 * LISTEN (catch-up) and every {@code Restart[PollPeriod]} (safety net). One thread delivers
 * everything, so a change read later never overtakes a newer one. Neither goes through
 * the bounded {@code sipis-store-io} queue, so a catch-up never crowds out HTTP requests and
 * nothing is dropped. A change may be delivered more than once.
 */
final class ChangeListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
    private static final int WAIT_MS = 250;
    private static final long PING_EVERY_MS = 5_000;
    /** The poll looks back this far behind the newest change it saw, for late commits. */
    static final Duration OVERLAP = Duration.ofSeconds(5);
    /** Tombstones older than this are purged by the poll. */
    private static final String TOMBSTONE_KEEP = "7 days";

    private final Database db;
    private final ChangeReader reader;
    private final Consumer<RegistrationChanges> sink;
    private final Duration pollPeriod;
    private final Duration maxBackoff;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    /**
     * The changes delivered that a later poll may read again (changed at or after its lower bound,
     * {@link #watermark} minus {@link #overlap}), so that it does not deliver them twice. Poll thread only.
     */
    private Map<String, Instant> seen = new HashMap<>();                // poll thread only
    /** The most {@link #seen} held since it was last replaced: its table never shrinks by itself. */
    private int seenPeak;
    private volatile int remembered;
    private final Duration overlap;
    private Instant watermark;                                  // poll thread only
    private Instant newest;                                     // poll thread only, during a poll
    private final CountDownLatch firstListen = new CountDownLatch(1);
    private volatile boolean listening;

    /**
     * @param since the database time from which the first poll reads (the start of the shard
     *              load), or null for {@code PollPeriod} before the first poll
     */
    ChangeListener(Database db, ChangeReader reader, Consumer<RegistrationChanges> sink, Duration pollPeriod,
                   Duration maxBackoff, Instant since) {
        this(db, reader, sink, pollPeriod, maxBackoff, since, OVERLAP);
    }

    ChangeListener(Database db, ChangeReader reader, Consumer<RegistrationChanges> sink, Duration pollPeriod,
                   Duration maxBackoff, Instant since, Duration overlap) {
        this.overlap = overlap;
        this.db = db;
        this.reader = reader;
        this.sink = sink;
        this.pollPeriod = pollPeriod.isZero() || pollPeriod.isNegative() ? Duration.ofSeconds(30) : pollPeriod;
        this.maxBackoff = maxBackoff;
        this.watermark = since;
        this.thread = Threads.named("sipis-store-listener", false).newThread(this::listenLoop);
    }
    void start() {
        thread.start();
    }

    /** Waits until the LISTEN connection was up once (and its catch-up poll queued); false on timeout. */
    boolean awaitListening(Duration timeout) throws InterruptedException {
        return firstListen.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while the LISTEN connection is up. */
    boolean isListening() {
        return listening;
    }

    private void listenLoop() {
        long backoffMs = 250;
        boolean reported = false;
        while (stop.getCount() > 0) {
            try (Connection c = db.dedicated()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + InstanceRows.CHANNEL);
                }
                listening = true;
                if (reported) {
                    LOG.info("Listening for registration changes again; polling once for what was missed");
                }
                firstListen.countDown();
                reported = false;
                backoffMs = 250;
                // also on the first connection: changes made before the LISTEN (after the shard was
                // loaded, or by a registration that reached this process as it started) sent their
                // NOTIFY to nobody; without this catch-up they would wait for the periodic poll.
                // It runs on this thread, before the notifications queued meanwhile are read, so
                // every change is delivered in the order of the snapshots that read it.
                poll(c);
                receive(c);
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (stop.getCount() == 0) {
                    break;
                }
                if (!reported) {
                    LOG.warn("Lost the database connection for registration changes ({}); reconnecting, then catching up",
                            Failures.describe(e));
                    reported = true;
                }
            }
            listening = false;
            try {
                if (stop.await(backoffMs, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoffMs = Math.min(backoffMs * 2, maxBackoff.toMillis());
        }
    }

    private void receive(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastPing = System.nanoTime();
        long nextPoll = System.nanoTime() + pollPeriod.toNanos();
        Set<String> batch = new LinkedHashSet<>();
        while (stop.getCount() > 0) {
            collect(batch, pg.getNotifications(WAIT_MS));
            // take what else has already arrived, so a burst is read in a few queries
            PGNotification[] more;
            while (batch.size() < ChangeReader.CHUNK && (more = pg.getNotifications()) != null && more.length > 0) {
                collect(batch, more);
            }
            if (!batch.isEmpty()) {
                deliver(reader.read(c, batch));
                batch.clear();
            }
            if (System.nanoTime() - nextPoll >= 0) {
                poll(c);   // the safety net, on the same thread for the same reason as the catch-up
                nextPoll = System.nanoTime() + pollPeriod.toNanos();
                lastPing = System.nanoTime();
            }
            if (System.nanoTime() - lastPing > PING_EVERY_MS * 1_000_000) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");   // finds a half-open connection
                }
                lastPing = System.nanoTime();
            }
        }
    }

    private void collect(Set<String> batch, PGNotification[] ns) {
        if (ns == null) {
            return;
        }
        for (PGNotification n : ns) {
            String sel = n.getParameter();
            if (reader.inRanges(sel)) {
                batch.add(sel);
            }
        }
    }

    private void deliver(RegistrationChanges changes) {
        if (changes.isEmpty()) {
            return;
        }
        try {
            sink.accept(changes);
        } catch (RuntimeException e) {
            LOG.error("Registration change consumer failed for {} change(s)", changes.size(), e);
        }
    }

    /** Reads, on the listener's connection, what changed since the watermark (minus the overlap). */
    private void poll(Connection c) throws SQLException {
        if (watermark == null) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
                rs.next();
                watermark = rs.getObject(1, OffsetDateTime.class).toInstant().minus(pollPeriod);
            }
        }
        Instant from = watermark.minus(overlap);
        newest = watermark;
        c.setAutoCommit(false);   // a cursor (fetch size) and one snapshot for instances and tokens
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        Instant snapshot;
        try {
            // the first statement takes the snapshot; the transaction's start is no later than it
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT transaction_timestamp()")) {
                rs.next();
                snapshot = rs.getObject(1, OffsetDateTime.class).toInstant();
            }
            reader.since(c, from, (changed, deleted) -> {
                List<InstanceRecord> records = new ArrayList<>(changed.size());
                for (ChangeReader.Stamped<InstanceRecord> r : changed) {
                    if (fresh(r.value().selector(), r.at())) {
                        records.add(r.value());
                    }
                }
                List<String> gone = new ArrayList<>(deleted.size());
                for (ChangeReader.Stamped<String> d : deleted) {
                    if (fresh("-" + d.value(), d.at())) {
                        gone.add(d.value());
                    }
                }
                deliver(new RegistrationChanges(records, gone));
            });
            c.commit();
            // only after the whole read: a failed poll is read again. Every change made more than the
            // overlap before the snapshot was committed in it (the overlap bounds how late a commit
            // lands), so the watermark moves that far even when nothing changed: what the next poll
            // can read again, and so what `seen` must remember, is the last two overlaps, not every
            // change within an overlap of the newest one however long ago that was.
            Instant settled = snapshot.minus(overlap);
            watermark = newest.isAfter(settled) ? newest : settled;
        } finally {
            c.setReadOnly(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            c.setAutoCommit(true);
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM instance_deletions WHERE deleted_at < clock_timestamp() - interval '"
                    + TOMBSTONE_KEEP + "'");
        }
        Instant forget = watermark.minus(overlap);
        seenPeak = Math.max(seenPeak, seen.size());
        seen.values().removeIf(at -> at.isBefore(forget));
        if (seenPeak > 1024 && seen.size() < seenPeak / 8) {
            // after a burst (a restart's first poll looks back over every row just written) the table stayed
            // at the burst's size, 512 KB at 100,000 instances
            seen = new HashMap<>(seen);
            seenPeak = seen.size();
        }
        remembered = seen.size();
    }

    /** The most changes the poll remembered since its map was last replaced (after its last run), for tests. */
    int rememberedPeak() {
        return seenPeak;
    }

    /** How many delivered changes the poll remembers (after its last run), for tests. */
    int remembered() {
        return remembered;
    }

    /** True the first time this change (key, time) is seen; moves the watermark. */
    private boolean fresh(String key, Instant at) {
        if (at.isAfter(newest)) {
            newest = at;
        }
        return !at.equals(seen.put(key, at));
    }

    @Override
    public void close() {
        stop.countDown();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
