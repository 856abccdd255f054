package org.opensipis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.shard.SelectorRange;
import org.opensipis.core.shard.Shard;
import org.opensipis.store.InstanceRows.Positioned;
import org.opensipis.store.InstanceRows.Raw;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the instances of one shard: for each selector range an index range scan over
 * {@code instances} (joined with this server's {@code instance_states}) and one over
 * {@code device_tokens}, both in selector order and fetched in chunks, merged one instance at
 * a time. Rows outside the shard ({@link Shard#owns}) are skipped; a row whose secrets do not
 * open is logged by selector and skipped.
 *
 * <p>Three stages use every core: a {@code sipis-store-load} thread reads and merges rows and
 * hands small batches (a bounded queue, so memory stays flat) to {@code sipis-store-open}
 * threads, which open the secrets and build the records; the caller's thread hands them to the
 * sink in the order they were read.
 */
final class ShardLoader {

    static final int FETCH = 2_000;
    /**
     * Threads opening the secrets (AES-GCM, two per instance): the largest part of a load, so it
     * runs beside the reader and the caller's thread instead of on the caller's thread alone.
     */
    private static final int OPENERS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final int BATCH = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ShardLoader.class);

    private final DataSource ds;
    private final InstanceRows rows;

    ShardLoader(DataSource ds, InstanceRows rows) {
        this.ds = ds;
        this.rows = rows;
    }

    private record Item(Raw raw, Optional<InstanceState> state, List<Positioned> tokens) {
    }

    /** A batch of items; the last one is empty and carries the reader's failure, if any. */
    private record Batch(List<Item> items, Optional<Exception> failure) {
    }

    /** Loads the shard into the sink on the caller's thread; returns how many were delivered. */
    long load(Shard shard, Consumer<LoadedInstance> sink) {
        if (shard.isEmpty()) {
            return 0;
        }
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(16);
        Reader reader = new Reader(shard, queue);
        Thread t = Threads.named("sipis-store-load", false).newThread(reader);
        t.start();
        long delivered = 0;
        long skipped = 0;
        ExecutorService openers = Executors.newFixedThreadPool(OPENERS, Threads.named("sipis-store-open", true));
        ArrayDeque<Future<Opened>> opening = new ArrayDeque<>();
        try {
            while (true) {
                Batch b = queue.take();
                if (b.items().isEmpty()) {
                    if (b.failure().isPresent()) {
                        Exception e = b.failure().get();
                        throw new StoreException("cannot load the instances of shard " + shard + ": "
                                + Failures.describe(e), e);
                    }
                    break;
                }
                opening.add(openers.submit(() -> open(b.items())));
                // deliver in order what is opened; at most a few batches ahead, so memory stays flat
                while (!opening.isEmpty() && (opening.size() > 2 * OPENERS || opening.peek().isDone())) {
                    Opened o = take(opening.poll());
                    delivered += deliver(o, sink);
                    skipped += o.skipped();
                }
            }
            while (!opening.isEmpty()) {
                Opened o = take(opening.poll());
                delivered += deliver(o, sink);
                skipped += o.skipped();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("loading shard " + shard + " was interrupted", e);
        } finally {
            openers.shutdownNow();
            reader.stop = true;
            queue.clear();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (skipped > 0) {
            LOG.error("Skipped {} instance(s) of {} whose stored data could not be read (see above)", skipped, shard);
        }
        return delivered;
    }

    /** A batch with its secrets opened; rows that did not open are counted, and logged by the opener. */
    private record Opened(List<LoadedInstance> instances, int skipped) {
    }

    /** Opens the secrets of a batch and builds its records (on an opener thread). */
    private Opened open(List<Item> items) {
        List<LoadedInstance> out = new ArrayList<>(items.size());
        int skipped = 0;
        for (Item i : items) {
            try {
                out.add(new LoadedInstance(InstanceRows.withTokens(rows.record(i.raw(), List.of()), i.tokens()), i.state()));
            } catch (StoreException | IllegalArgumentException e) {
                skipped++;
                LOG.error("Not loading selector {}: {}", i.raw().selector(), e.getMessage());
            }
        }
        return new Opened(out, skipped);
    }

    private static long deliver(Opened o, Consumer<LoadedInstance> sink) {
        for (LoadedInstance i : o.instances()) {
            sink.accept(i);
        }
        return o.instances().size();
    }

    private static Opened take(Future<Opened> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException("cannot open the stored secrets: " + cause, cause);
        }
    }

    /** Reads the ranges and fills the queue; always ends with an empty batch. */
    private final class Reader implements Runnable {
        private final Shard shard;
        private final BlockingQueue<Batch> queue;
        private volatile boolean stop;
        private List<Item> batch = new ArrayList<>(BATCH);

        Reader(Shard shard, BlockingQueue<Batch> queue) {
            this.shard = shard;
            this.queue = queue;
        }

        @Override
        public void run() {
            Optional<Exception> failure = Optional.empty();
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                c.setReadOnly(true);
                for (SelectorRange range : shard.ranges()) {
                    if (!stop) {
                        readRange(c, range);
                    }
                }
                c.commit();
                flush();
            } catch (SQLException | RuntimeException e) {
                failure = Optional.of(e);
            } catch (InterruptedException e) {
                failure = Optional.of(e);
            }
            try {
                while (!stop && !queue.offer(new Batch(List.of(), failure), 100, TimeUnit.MILLISECONDS)) {
                    // the consumer is busy in the sink; keep offering until it takes or stops
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void put(Item item) throws InterruptedException {
            batch.add(item);
            if (batch.size() == BATCH) {
                flush();
            }
        }

        private void flush() throws InterruptedException {
            if (batch.isEmpty()) {
                return;
            }
            Batch b = new Batch(batch, Optional.empty());
            while (!stop && !queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
                // back-pressure: wait for the caller's thread
            }
            batch = new ArrayList<>(BATCH);
        }

        private void readRange(Connection c, SelectorRange range) throws SQLException, InterruptedException {
            String where = range.upper().isPresent() ? "selector >= ? AND selector < ?" : "selector >= ?";
            String instanceSql = "SELECT " + InstanceRows.INSTANCE_COLUMNS + ", " + InstanceRows.STATE_COLUMNS
                    + " FROM instances i LEFT JOIN instance_states s ON s.selector = i.selector AND s.server_name = ?"
                    + " WHERE i." + where.replace(" AND selector", " AND i.selector") + " ORDER BY i.selector";
            String tokenSql = "SELECT " + InstanceRows.TOKEN_COLUMNS + " FROM device_tokens WHERE " + where
                    + " ORDER BY selector";
            try (PreparedStatement ip = c.prepareStatement(instanceSql);
                 PreparedStatement tp = c.prepareStatement(tokenSql)) {
                ip.setFetchSize(FETCH);
                tp.setFetchSize(FETCH * 2);
                ip.setString(1, shard.serverName());
                bind(ip, 2, range);
                bind(tp, 1, range);
                try (ResultSet irs = ip.executeQuery(); ResultSet trs = tp.executeQuery()) {
                    Positioned pendingToken = trs.next() ? InstanceRows.token(trs) : null;
                    while (!stop && irs.next()) {
                        String sel = irs.getString(1);
                        List<Positioned> tokens = new ArrayList<>(2);
                        // Tokens of selectors before this one belong to rows that vanished between the scans.
                        while (pendingToken != null && pendingToken.selector().compareTo(sel) <= 0) {
                            if (pendingToken.selector().equals(sel)) {
                                tokens.add(pendingToken);
                            }
                            pendingToken = trs.next() ? InstanceRows.token(trs) : null;
                        }
                        if (!shard.owns(sel, irs.getString(2))) {
                            continue;
                        }
                        put(new Item(InstanceRows.raw(irs),
                                InstanceRows.state(irs, sel, InstanceRows.INSTANCE_COLUMN_COUNT + 1), tokens));
                    }
                }
            }
        }
    }

    private static void bind(PreparedStatement ps, int from, SelectorRange range) throws SQLException {
        ps.setString(from, range.lower());
        if (range.upper().isPresent()) {
            ps.setString(from + 1, range.upper().get());
        }
    }
}
