package org.opensipis.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** At most one WARN per period, and the next one tells how many were held back; driven by a fake clock. */
class RateLimitedLogTest {

    private final LoggerContext ctx = new LoggerContext();
    private final Logger logger = ctx.getLogger("t");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final AtomicLong nanos = new AtomicLong(1_000);

    RateLimitedLogTest() {
        events.setContext(ctx);
        events.start();
        logger.addAppender(events);
    }

    @Test
    void oneLinePerPeriodThenTheCountOfSuppressedLines() {
        RateLimitedLog log = new RateLimitedLog(logger, 10, TimeUnit.SECONDS, nanos::get);
        assertThat(log.warn("bad {} from {}", "INVITE", "a")).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(log.warn("bad {} from {}", "INVITE", "b")).isFalse();
        }
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(9));
        assertThat(log.warn("bad {} from {}", "INVITE", "c")).isFalse();
        assertThat(log.suppressed()).isEqualTo(1001);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(log.warn("bad {} from {}", "INVITE", "d")).isTrue();
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "bad INVITE from a", "bad INVITE from d (1001 similar lines suppressed)");
        assertThat(log.suppressed()).isZero();
    }

    @Test
    void aTrailingThrowableStaysTheStackTrace() {
        RateLimitedLog log = new RateLimitedLog(logger, 1, TimeUnit.SECONDS, nanos::get);
        log.warn("x {}", 1, new IllegalStateException("boom"));
        log.warn("x {}", 2, new IllegalStateException("boom"));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        log.warn("x {}", 3, new IllegalStateException("boom"));
        assertThat(events.list).hasSize(2);
        assertThat(events.list.get(1).getFormattedMessage()).isEqualTo("x 3 (1 similar lines suppressed)");
        assertThat(events.list.get(1).getThrowableProxy().getMessage()).isEqualTo("boom");
    }

    @Test
    void logContextPutsAndRestoresTheKeys() {
        MDC.put(LogContext.SELECTOR, "outer");
        try (LogContext c = LogContext.call("inner", "call-1")) {
            assertThat(MDC.get(LogContext.SELECTOR)).isEqualTo("inner");
            assertThat(MDC.get(LogContext.CALL_ID)).isEqualTo("call-1");
            try (LogContext i = LogContext.instance(null, "registrar.example")) {
                assertThat(MDC.get(LogContext.SELECTOR)).isEqualTo("inner");
                assertThat(MDC.get(LogContext.REGISTRAR)).isEqualTo("registrar.example");
            }
            assertThat(MDC.get(LogContext.REGISTRAR)).isNull();
        }
        assertThat(MDC.get(LogContext.SELECTOR)).isEqualTo("outer");
        assertThat(MDC.get(LogContext.CALL_ID)).isNull();
        MDC.clear();
    }
}
