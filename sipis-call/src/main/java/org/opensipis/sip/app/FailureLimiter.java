package org.opensipis.sip.app;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A token bucket per key for failed authentications: each key may fail {@code burst} times, and
 * earns one more try every {@code 60 s / perMinute}. While a key has no token left its requests
 * are refused without checking credentials. Full buckets are dropped, so the table holds only keys
 * that failed recently (and is pruned at {@code maxKeys}). Owner-thread only.
 */
final class FailureLimiter {

    private final Clock clock;
    private final int burst;
    private final double perMilli;
    private final int maxKeys;
    private final Map<String, double[]> buckets = new HashMap<>();

    FailureLimiter(Clock clock, int perMinute, int maxKeys) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("authentication failures per minute must be at least 1, not " + perMinute);
        }
        this.clock = clock;
        this.burst = perMinute;
        this.perMilli = perMinute / 60_000.0;
        this.maxKeys = maxKeys;
    }

    /** Whether the key may try to authenticate now. */
    synchronized boolean allowed(String key) {
        double[] b = buckets.get(key);
        return b == null || refill(b) >= 1.0;
    }

    /** Records a failure (takes a token). */
    synchronized void failed(String key) {
        double[] b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= maxKeys) {
                prune();
            }
            b = new double[] {burst, clock.millis()};
            buckets.put(key, b);
        }
        refill(b);
        b[0] = Math.max(0, b[0] - 1);
    }

    /** Keys currently tracked (for tests and stats). */
    int size() {
        return buckets.size();
    }

    private double refill(double[] b) {
        long now = clock.millis();
        b[0] = Math.min(burst, b[0] + (now - b[1]) * perMilli);
        b[1] = now;
        return b[0];
    }

    private void prune() {
        for (Iterator<double[]> it = buckets.values().iterator(); it.hasNext(); ) {
            if (refill(it.next()) >= burst) {
                it.remove();
            }
        }
        if (buckets.size() >= maxKeys) {
            buckets.clear(); // under a flood of distinct keys: forget rather than grow without bound
        }
    }
}
