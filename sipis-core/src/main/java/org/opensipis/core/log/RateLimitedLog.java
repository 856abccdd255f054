package org.opensipis.core.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A WARN that cannot flood the log: at most one line per {@code period}; the lines held back
 * in between are counted and the next line that passes says how many. For malformed input from
 * the network, where an attacker or a broken peer decides how often it happens. Thread-safe and
 * lock-free; one instance per kind of problem (e.g. one per "malformed SIP on the app leg").
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long period, TimeUnit unit) {
        this(log, period, unit, System::nanoTime);
    }

    /** With an injected monotonic clock in nanoseconds (tests). */
    public RateLimitedLog(Logger log, long period, TimeUnit unit, LongSupplier nanoClock) {
        this.log = log;
        this.periodNanos = unit.toNanos(period);
        this.nanoClock = nanoClock;
        this.nextAllowed = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Logs {@code format} at WARN unless a line was logged less than a period ago.
     *
     * @return whether the line was logged
     */
    public boolean warn(String format, Object... args) {
        long now = nanoClock.getAsLong();
        long next = nextAllowed.get();
        if (now - next < 0 || !nextAllowed.compareAndSet(next, now + periodNanos)) {
            suppressed.incrementAndGet();
            return false;
        }
        long held = suppressed.getAndSet(0);
        if (!log.isWarnEnabled()) {
            return false;
        }
        if (held > 0) {
            // the count goes before a trailing Throwable, which SLF4J prints as a stack trace
            int n = args.length > 0 && args[args.length - 1] instanceof Throwable ? args.length - 1 : args.length;
            Object[] withCount = new Object[args.length + 1];
            System.arraycopy(args, 0, withCount, 0, n);
            withCount[n] = held;
            System.arraycopy(args, n, withCount, n + 1, args.length - n);
            log.warn(format + " ({} similar lines suppressed)", withCount);
        } else {
            log.warn(format, args);
        }
        return true;
    }

    /** Lines held back since the last one logged. */
    public long suppressed() {
        return suppressed.get();
    }
}
