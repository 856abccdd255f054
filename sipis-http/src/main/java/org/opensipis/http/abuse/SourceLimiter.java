package org.opensipis.http.abuse;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per source: {@code rate} requests per second sustained, {@code burst} at once.
 * At most {@code maxSources} buckets are kept; when full, buckets that have refilled (idle
 * sources) are dropped, at most once a second, and until there is room new sources share one
 * overflow bucket, so memory stays bounded however many addresses a client has. Time comes from
 * the injected clock. Thread-safe.
 */
public final class SourceLimiter {

    private final double rate;
    private final int burst;
    private final int maxSources;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;
    private volatile long lastSweep = Long.MIN_VALUE;

    public SourceLimiter(double rate, int burst, int maxSources, Clock clock) {
        if (rate <= 0 || burst < 1 || maxSources < 1) {
            throw new IllegalArgumentException("rate must be > 0, burst and maxSources >= 1");
        }
        this.rate = rate;
        this.burst = burst;
        this.maxSources = maxSources;
        this.clock = clock;
        this.overflow = new Bucket(burst, clock.millis());
    }

    /**
     * Takes a token for {@code source}.
     *
     * @return 0 when allowed, else the whole seconds (at least 1) until a token is back
     */
    public long acquire(String source) {
        long now = clock.millis();
        Bucket b = buckets.get(source);
        if (b == null) {
            if (buckets.size() >= maxSources) {
                sweep(now);
            }
            b = buckets.size() < maxSources ? buckets.computeIfAbsent(source, s -> new Bucket(burst, now)) : overflow;
        }
        synchronized (b) {
            b.refill(now, rate, burst);
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / rate));
        }
    }

    /** Sources tracked now. */
    public int size() {
        return buckets.size();
    }

    private void sweep(long now) {
        if (now - lastSweep < 1000 && lastSweep != Long.MIN_VALUE) {
            return;
        }
        lastSweep = now;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            synchronized (b) {
                b.refill(now, rate, burst);
                if (b.tokens >= burst) {
                    it.remove();
                }
            }
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }

        void refill(long now, double rate, int burst) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * rate / 1000.0);
                last = now;
            }
        }
    }
}
