package org.opensipis.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.opensipis.core.settings.LogSettings;

/** The appenders {@link Logging} builds: rolling file (text or JSON lines) and console. */
final class Appenders {

    /**
     * Time, level, thread, logger, then the MDC (selector, call id, registrar) in brackets when
     * the line has any, then the message.
     */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30}"
            + "%replace( [%mdc]){' \\[\\]', ''} - %msg%n";

    private Appenders() {
    }

    /**
     * {@code FILE} now, {@code FILE.yyyy-MM-dd.N.gz} after rotation (daily, and when the file
     * reaches the size), deleted after {@code maxHistoryDays} or beyond {@code totalSizeCapMb}.
     */
    static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext ctx, Path file, LogSettings.Rolling r,
                                                          boolean json, Level threshold) {
        RollingFileAppender<ILoggingEvent> fa = new RollingFileAppender<>();
        fa.setContext(ctx);
        fa.setName("file");
        fa.setFile(file.toString());
        fa.setAppend(true);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> p = new SizeAndTimeBasedRollingPolicy<>();
        p.setContext(ctx);
        p.setParent(fa);
        p.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        p.setMaxFileSize(FileSize.valueOf(r.maxFileSizeMb() + "MB"));
        p.setMaxHistory(r.maxHistoryDays());
        p.setTotalSizeCap(FileSize.valueOf(r.totalSizeCapMb() + "MB"));
        p.start();
        fa.setRollingPolicy(p);
        fa.setTriggeringPolicy(p);
        fa.setEncoder(json ? json(ctx) : text(ctx));
        fa.addFilter(threshold(ctx, threshold));
        fa.start();
        return fa;
    }

    static ConsoleAppender<ILoggingEvent> console(LoggerContext ctx, String name, Level threshold, boolean stderr) {
        ConsoleAppender<ILoggingEvent> ca = new ConsoleAppender<>();
        ca.setContext(ctx);
        ca.setName(name);
        ca.setTarget(stderr ? "System.err" : "System.out");
        ca.setEncoder(text(ctx));
        ca.addFilter(threshold(ctx, threshold));
        ca.start();
        return ca;
    }

    private static Encoder<ILoggingEvent> text(LoggerContext ctx) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(PATTERN);
        e.start();
        return e;
    }

    /** logback's own JSON lines: one object per event with timestamp, level, logger, mdc, message, throwable. */
    private static Encoder<ILoggingEvent> json(LoggerContext ctx) {
        JsonEncoder e = new JsonEncoder();
        e.setContext(ctx);
        e.setWithArguments(false);
        e.setWithSequenceNumber(false);
        e.setWithContext(false);
        e.setWithNanoseconds(false);
        e.setWithFormattedMessage(true);
        e.setWithMessage(false);
        e.start();
        return e;
    }

    private static ThresholdFilter threshold(LoggerContext ctx, Level level) {
        ThresholdFilter f = new ThresholdFilter();
        f.setContext(ctx);
        f.setLevel(level.toString());
        f.start();
        return f;
    }
}
