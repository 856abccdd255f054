package org.opensipis.sip.registration;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram of REGISTER transactions (request sent to final response),
 * 1 ms buckets up to 10 s. Thread-safe.
 */
final class Latencies {

    private static final int BUCKETS = 10_001;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        int ms = (int) Math.min(BUCKETS - 1, Math.max(0, nanos / 1_000_000));
        counts.incrementAndGet(ms);
    }

    /** The given quantile (0–1) in milliseconds, or 0 when empty. */
    long quantileMillis(double q) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += counts.get(i);
        }
        long rank = (long) Math.ceil(q * total);
        long acc = 0;
        for (int i = 0; i < BUCKETS; i++) {
            acc += counts.get(i);
            if (acc >= rank && acc > 0) {
                return i;
            }
        }
        return 0;
    }

    void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.set(i, 0);
        }
    }
}
