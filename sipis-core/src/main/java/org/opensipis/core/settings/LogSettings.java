package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code <Log>}.
 *
 * @param fileName      main log file, unique per process
 * @param level         threshold of the main log
 * @param stdio         where a copy of the log goes ({@code Stdio="Stdout"}, {@code "None"}, or a level
 *                      such as {@code "Warning"}: stdout, from that level up)
 * @param stdioLevel    threshold of the stdio copy
 * @param instanceFileName per-instance log pattern with {@code $SELECTOR$} (accepted, not yet used)
 */
public record LogSettings(Path fileName, Level level, Stdio stdio, Level stdioLevel,
                          Optional<String> instanceFileName) {

    public enum Level { ERROR, WARNING, INFO, DEBUG, TRACE }

    public enum Stdio { STDOUT, STDERR, NONE }

    public LogSettings {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(stdio, "stdio");
        Objects.requireNonNull(stdioLevel, "stdioLevel");
        Objects.requireNonNull(instanceFileName, "instanceFileName");
    }
}
