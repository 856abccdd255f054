package org.opensipis.sip.message;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One WARN per period for a kind of bad input (malformed SIP from the network), with how many
 * were suppressed in between; the rest go to DEBUG. Keeps the log bounded under a flood or a
 * fuzzer. Thread-safe.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long periodMillis, LongSupplier nanoTime) {
        this.log = log;
        this.periodNanos = periodMillis * 1_000_000L;
        this.nanoTime = nanoTime;
    }

    public RateLimitedLog(Logger log) {
        this(log, 10_000, System::nanoTime);
    }

    /** Logs {@code what} (escaped: no control characters reach the log) from {@code source}. */
    public void warn(String what, Object source) {
        long now = nanoTime.getAsLong();
        long due = next.get();
        if ((due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + periodNanos)) {
            long n = suppressed.getAndSet(0);
            log.warn("{} from {}{}", Printable.escape(what), source,
                    n > 0 ? " (" + n + " more like it in the last " + periodNanos / 1_000_000_000L + " s)" : "");
        } else {
            suppressed.incrementAndGet();
            if (log.isDebugEnabled()) {
                log.debug("{} from {}", Printable.escape(what), source);
            }
        }
    }
}
