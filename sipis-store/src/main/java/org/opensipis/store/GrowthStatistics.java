package org.opensipis.store;

import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the planner's statistics of the registration tables while this process fills them,
 * instead of waiting for autovacuum.
 *
 * <p>Each pooled connection keeps the plan of the registration save once it is generic. On a
 * database created moments earlier that plan is made while the tables are empty, and it deletes
 * replaced tokens with a sequential scan of {@code device_tokens}: every save then reads every
 * stored token, until autovacuum's first {@code ANALYZE} (up to {@code autovacuum_naptime}, a
 * minute by default) invalidates the plans. Measured with {@code scripts/bench-ingest.sh}: 1,466
 * registrations/s and a sequential scan in a third of the saves, against 2,400/s once analysed.
 * So after 1,000, 10,000 and 100,000 instances added by this process, it analyses the tables
 * itself (a few milliseconds on a sample, off the answers' path); on a database already in
 * service that changes nothing.
 */
final class GrowthStatistics {

    private static final Logger LOG = LoggerFactory.getLogger(GrowthStatistics.class);
    private static final long[] MARKS = {1_000, 10_000, 100_000};

    private final StoreIo io;
    private final AtomicLong added = new AtomicLong();

    GrowthStatistics(StoreIo io) {
        this.io = io;
    }

    /** Counts instances added by this process; analyses when the count passes a mark. */
    void added(int n) {
        long after = added.addAndGet(n);
        long before = after - n;
        for (long mark : MARKS) {
            if (before < mark && after >= mark) {
                io.tx("analysing the registration tables after " + mark + " new instances", c -> {
                    try (Statement st = c.createStatement()) {
                        st.execute("ANALYZE instances, device_tokens, instance_deletions");
                    }
                    return null;
                }).whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.debug("ANALYZE after {} new instances failed: {}", mark, e.toString());
                    } else {
                        LOG.debug("Analysed the registration tables after {} new instances", mark);
                    }
                });
            }
        }
    }
}
