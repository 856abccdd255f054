package org.opensipis.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.opensipis.core.settings.LogSettings;
import org.slf4j.LoggerFactory;

/**
 * Configures logback from {@code <Log>}: one rolling file per process ({@code FileName},
 * rotated daily and by size, old files deleted), as text or JSON lines, at {@code Level}, and an
 * optional copy on stdout/stderr ({@code Stdio}; under systemd, without {@code Stdio},
 * warnings and errors go to stdout = journald). An operator's logback.xml
 * ({@code Log[ConfigFile]} or {@code -Dlogback.configurationFile}) replaces all of that.
 * {@link #configure} may be called again at run time (SIGHUP): it rebuilds the appenders.
 * Nothing here logs secrets: settings values that are secrets are {@code Secret}s with masked
 * toString.
 */
public final class Logging {

    /** The system property logback itself reads; when set it wins over {@code Log[ConfigFile]}. */
    public static final String CONFIG_PROPERTY = "logback.configurationFile";

    /** Loggers of libraries kept at warnings unless the level is Debug or Trace. */
    static final String[] NOISY = {"io.netty", "com.zaxxer.hikari", "org.flywaydb", "io.zonky", "com.eatthepath"};

    private Logging() {
    }

    /** Before settings are known: warnings and errors to stderr only. */
    public static void bootstrap() {
        LoggerContext ctx = context();
        ctx.reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(Appenders.console(ctx, "stderr", Level.WARN, true));
    }

    /** For processes without a log file (LB2 under systemd): info and up to stdout (journald). */
    public static void consoleOnly() {
        LoggerContext ctx = context();
        ctx.reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(Appenders.console(ctx, "stdout", Level.INFO, false));
        ctx.getLogger("io.netty").setLevel(Level.WARN);
    }

    /**
     * Switches to the configured log, replacing whatever was configured before.
     *
     * @return a line describing what is now configured, for the log
     * @throws IOException naming {@code Log[FileName]} or the logback.xml when it cannot be used;
     *                     the previous configuration is then kept
     */
    public static String configure(LogSettings settings) throws IOException {
        return configure(settings, System.getenv(), Optional.ofNullable(System.getProperty(CONFIG_PROPERTY)));
    }

    static String configure(LogSettings settings, Map<String, String> env, Optional<String> property) throws IOException {
        Optional<Path> operatorFile = property.filter(p -> !p.isBlank()).map(Path::of).or(settings::configFile);
        if (operatorFile.isPresent()) {
            return configureFrom(operatorFile.get(), property.isPresent());
        }
        Path file = settings.fileName();
        checkWritable(file);
        LoggerContext ctx = context();
        ctx.reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        Level level = level(settings.level());
        LogSettings.Stdio stdio = settings.stdio();
        Level stdioLevel = level(settings.stdioLevel());
        boolean journald = !settings.stdioExplicit() && env.containsKey("JOURNAL_STREAM");
        if (journald) {
            // systemd connected stdout to the journal: problems show in journalctl / systemctl status
            stdio = LogSettings.Stdio.STDOUT;
            stdioLevel = Level.WARN.isGreaterOrEqual(level) ? Level.WARN : level;
        }
        root.setLevel(stdio == LogSettings.Stdio.NONE || stdioLevel.isGreaterOrEqual(level) ? level : stdioLevel);
        root.addAppender(Appenders.rollingFile(ctx, file, settings.rolling(), settings.json(), level));
        if (stdio != LogSettings.Stdio.NONE) {
            root.addAppender(Appenders.console(ctx, stdio == LogSettings.Stdio.STDERR ? "stderr" : "stdout",
                    stdioLevel, stdio == LogSettings.Stdio.STDERR));
        }
        // Third-party chatter stays at warnings unless debugging.
        if (level.isGreaterOrEqual(Level.INFO)) {
            for (String noisy : NOISY) {
                ctx.getLogger(noisy).setLevel(Level.WARN);
            }
        }
        LogSettings.Rolling r = settings.rolling();
        return "log " + file + " at " + level + (settings.json() ? " as JSON lines" : "") + ", rotated daily and at "
                + r.maxFileSizeMb() + " MB, kept " + r.maxHistoryDays() + " days / " + r.totalSizeCapMb() + " MB"
                + (stdio == LogSettings.Stdio.NONE ? "" : "; " + stdioLevel + " and up also to "
                + (stdio == LogSettings.Stdio.STDERR ? "stderr" : "stdout") + (journald ? " (journald)" : ""));
    }

    /** Applies an operator's logback.xml, first checking it in a scratch context. */
    private static String configureFrom(Path file, boolean fromProperty) throws IOException {
        String name = (fromProperty ? "-D" + CONFIG_PROPERTY + "=" : "Log[ConfigFile] ") + file;
        if (!Files.isReadable(file)) {
            throw new IOException(name + ": cannot read the file");
        }
        LoggerContext scratch = new LoggerContext();
        try {
            String errors = runJoran(scratch, file);
            if (!errors.isEmpty()) {
                throw new IOException(name + ": " + errors);
            }
        } finally {
            scratch.stop();
        }
        LoggerContext ctx = context();
        ctx.reset();
        runJoran(ctx, file);
        return "log configured by " + name;
    }

    private static String runJoran(LoggerContext ctx, Path file) {
        JoranConfigurator j = new JoranConfigurator();
        j.setContext(ctx);
        long since = System.currentTimeMillis();
        StringBuilder errors = new StringBuilder();
        try {
            j.doConfigure(file.toFile());
        } catch (JoranException e) {
            errors.append(e.getMessage());
        }
        for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
            if (s.getLevel() == Status.ERROR && s.getTimestamp() >= since) {
                errors.append(errors.length() == 0 ? "" : "; ").append(s.getMessage());
            }
        }
        return errors.toString();
    }

    private static void checkWritable(Path file) throws IOException {
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
    }

    /** The level a logger has now (its effective level), e.g. for a status page. */
    public static String effectiveLevel(String logger) {
        return context().getLogger(logger).getEffectiveLevel().toString();
    }

    public static void shutdown() {
        context().stop();
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
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
