package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the selectors of registrations changed by any process: LISTEN on a dedicated
 * connection (thread {@code sipis-store-listener}, reconnecting with backoff), plus a poll of
 * {@code instances.changed_at} every {@code Restart[PollPeriod]} (thread {@code sipis-store-poll})
 * as a safety net for notifications lost while disconnected. A selector may be delivered more
 * than once; deletions are delivered by notification only (the consumer finds no record).
 */
final class ChangeListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
    private static final int WAIT_MS = 250;
    private static final long PING_EVERY_MS = 5_000;
    /** The poll looks back this far behind the newest change it saw, for late commits. */
    private static final Duration OVERLAP = Duration.ofSeconds(5);

    private final Database db;
    private final Consumer<String> sink;
    private final Duration pollPeriod;
    private final Duration maxBackoff;
    private final Thread thread;
    private final ScheduledExecutorService poller =
            Executors.newSingleThreadScheduledExecutor(Threads.named("sipis-store-poll", false));
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Map<String, Instant> seen = new HashMap<>();   // poll thread only
    private Instant watermark;                                  // poll thread only
    private final CountDownLatch firstListen = new CountDownLatch(1);
    private volatile boolean listening;

    ChangeListener(Database db, Consumer<String> sink, Duration pollPeriod, Duration maxBackoff) {
        this.db = db;
        this.sink = sink;
        this.pollPeriod = pollPeriod.isZero() || pollPeriod.isNegative() ? Duration.ofSeconds(30) : pollPeriod;
        this.maxBackoff = maxBackoff;
        this.thread = Threads.named("sipis-store-listener", false).newThread(this::listenLoop);
    }

    void start() {
        thread.start();
        poller.scheduleWithFixedDelay(this::pollSafely, pollPeriod.toMillis(), pollPeriod.toMillis(), TimeUnit.MILLISECONDS);
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
                // also on the first connection: changes made before the LISTEN (after the shard was
                // loaded, or by a registration that reached this process as it started) sent their
                // NOTIFY to nobody; without this poll they would wait for the periodic one
                poller.execute(this::pollSafely);
                firstListen.countDown();
                reported = false;
                backoffMs = 250;
                receive(c);
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (stop.getCount() == 0) {
                    break;
                }
                if (!reported) {
                    LOG.warn("Lost the database connection for registration changes ({}); reconnecting, polling meanwhile",
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
        while (stop.getCount() > 0) {
            PGNotification[] ns = pg.getNotifications(WAIT_MS);
            if (ns != null) {
                for (PGNotification n : ns) {
                    deliver(n.getParameter());
                }
            }
            if (System.nanoTime() - lastPing > PING_EVERY_MS * 1_000_000) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");   // finds a half-open connection
                }
                lastPing = System.nanoTime();
            }
        }
    }

    private void deliver(String selector) {
        try {
            sink.accept(selector);
        } catch (RuntimeException e) {
            LOG.error("Registration change consumer failed for selector {}", selector, e);
        }
    }

    private void pollSafely() {
        try {
            poll();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Registration poll failed: {}", Failures.describe(e));
        }
    }

    private void poll() throws SQLException {
        try (Connection c = db.pool().getConnection()) {
            if (watermark == null) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
                    rs.next();
                    watermark = rs.getObject(1, OffsetDateTime.class).toInstant().minus(pollPeriod);
                }
            }
            Instant from = watermark.minus(OVERLAP);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT selector, changed_at FROM instances WHERE changed_at > ? ORDER BY changed_at LIMIT 100000")) {
                ps.setObject(1, InstanceRows.ts(from));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String sel = rs.getString(1);
                        Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
                        if (!at.equals(seen.put(sel, at))) {
                            deliver(sel);
                        }
                        if (at.isAfter(watermark)) {
                            watermark = at;
                        }
                    }
                }
            }
            Instant forget = watermark.minus(OVERLAP);
            seen.values().removeIf(at -> at.isBefore(forget));
        }
    }

    @Override
    public void close() {
        stop.countDown();
        poller.shutdownNow();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
