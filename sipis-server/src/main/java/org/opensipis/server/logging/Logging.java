package org.opensipis.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.opensipis.core.settings.LogSettings;
import org.slf4j.LoggerFactory;

/**
 * Configures logback from {@code <Log>}: one file per process ({@code FileName}) at
 * {@code Level}, and an optional copy on stdout/stderr ({@code Stdio}). Nothing here logs
 * secrets: settings values that are secrets are {@code Secret}s with masked toString.
 */
public final class Logging {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} - %msg%n";

    private Logging() {
    }

    /** Before settings are known: warnings and errors to stderr only. */
    public static void bootstrap() {
        LoggerContext ctx = context();
        ctx.reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console(ctx, "stderr", Level.WARN, true));
    }

    /** For processes without a log file (LB2 under systemd): info and up to stdout (journald). */
    public static void consoleOnly() {
        LoggerContext ctx = context();
        ctx.reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console(ctx, "stdout", Level.INFO, false));
        ctx.getLogger("io.netty").setLevel(Level.WARN);
    }

    /**
     * Switches to the configured log file and stdio copy.
     *
     * @throws IOException naming {@code Log[FileName]} when the file cannot be written
     */
    public static void configure(LogSettings settings) throws IOException {
        Path file = settings.fileName();
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (Files.exists(file) ? !Files.isWritable(file) : (parent != null && !Files.isWritable(parent))) {
                throw new IOException("not writable");
            }
        } catch (IOException e) {
            throw new IOException("Log[FileName] " + file + ": cannot write the log file: " + e.getMessage(), e);
        }
        LoggerContext ctx = context();
        ctx.reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        Level level = level(settings.level());
        Level stdioLevel = level(settings.stdioLevel());
        root.setLevel(settings.stdio() == LogSettings.Stdio.NONE || stdioLevel.isGreaterOrEqual(level) ? level : stdioLevel);

        FileAppender<ILoggingEvent> fa = new FileAppender<>();
        fa.setContext(ctx);
        fa.setName("file");
        fa.setFile(file.toString());
        fa.setAppend(true);
        fa.setEncoder(encoder(ctx));
        fa.addFilter(threshold(ctx, level));
        fa.start();
        root.addAppender(fa);
        if (settings.stdio() != LogSettings.Stdio.NONE) {
            root.addAppender(console(ctx, settings.stdio() == LogSettings.Stdio.STDERR ? "stderr" : "stdout",
                    stdioLevel, settings.stdio() == LogSettings.Stdio.STDERR));
        }
        // Third-party chatter stays at warnings unless debugging.
        if (!level.isGreaterOrEqual(Level.INFO)) {
            return;
        }
        for (String noisy : new String[] {"io.netty", "com.zaxxer.hikari", "org.flywaydb", "io.zonky", "com.eatthepath"}) {
            ctx.getLogger(noisy).setLevel(Level.WARN);
        }
    }

    public static void shutdown() {
        context().stop();
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext ctx, String name, Level threshold, boolean stderr) {
        ConsoleAppender<ILoggingEvent> ca = new ConsoleAppender<>();
        ca.setContext(ctx);
        ca.setName(name);
        ca.setTarget(stderr ? "System.err" : "System.out");
        ca.setEncoder(encoder(ctx));
        ca.addFilter(threshold(ctx, threshold));
        ca.start();
        return ca;
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(PATTERN);
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

    static Level level(LogSettings.Level l) {
        switch (l) {
            case ERROR:
                return Level.ERROR;
            case WARNING:
                return Level.WARN;
            case DEBUG:
                return Level.DEBUG;
            case TRACE:
                return Level.TRACE;
            default:
                return Level.INFO;
        }
    }
}
