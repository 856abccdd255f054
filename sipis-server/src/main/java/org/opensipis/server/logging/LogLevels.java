package org.opensipis.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * Log levels at run time, straight on logback's {@link LoggerContext}: what each logger with a
 * level of its own is set to, and a change until the next restart (the control API and
 * {@code sipis ctl log-level}). Thread-safe (logback's context is).
 */
public final class LogLevels {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$.-]{1,200}");

    private final LoggerContext context;

    private LogLevels(LoggerContext context) {
        this.context = context;
    }

    /** Over the process's logback context. */
    public static LogLevels current() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext c)) {
            throw new IllegalStateException("logging is not done by logback: log levels cannot be changed at run time");
        }
        return new LogLevels(c);
    }

    /** Logger name ({@code ROOT} for the root) to level, for every logger with a level of its own. */
    public Map<String, String> levels() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Logger l : context.getLoggerList()) {
            if (l.getLevel() != null) {
                out.put(l.getName(), l.getLevel().toString().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /**
     * Sets a logger's level.
     *
     * @param logger a logger name (letters, digits, {@code . _ $ -}) or {@code ROOT}
     * @param level  {@code error}, {@code warn}/{@code warning}, {@code info}, {@code debug}, {@code trace},
     *               {@code off}, or {@code inherit} (take the parent's level)
     * @return the previous own level ({@code inherit} if it had none)
     * @throws IllegalArgumentException naming the bad name or level
     */
    public String set(String logger, String level) {
        if (!NAME.matcher(logger).matches()) {
            throw new IllegalArgumentException("logger \"" + abbreviate(logger) + "\" is not a logger name"
                    + " (letters, digits, . _ $ -, at most 200; ROOT for the root logger)");
        }
        String l = level.trim().toLowerCase(Locale.ROOT);
        Level parsed = switch (l) {
            case "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            case "off" -> Level.OFF;
            case "inherit", "null" -> null;
            default -> throw new IllegalArgumentException("level \"" + abbreviate(level) + "\" is not one of error,"
                    + " warn, info, debug, trace, off, inherit");
        };
        boolean root = logger.equalsIgnoreCase(Logger.ROOT_LOGGER_NAME);
        if (root && parsed == null) {
            throw new IllegalArgumentException("the root logger needs a level; inherit is only for other loggers");
        }
        Logger target = context.getLogger(root ? Logger.ROOT_LOGGER_NAME : logger);
        Level previous = target.getLevel();
        target.setLevel(parsed);
        org.slf4j.LoggerFactory.getLogger(LogLevels.class).info("log level of {} changed from {} to {} by the administrator",
                target.getName(), previous == null ? "inherit" : previous, parsed == null ? "inherit" : parsed);
        return previous == null ? "inherit" : previous.toString().toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
    }
}
