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
 * @param stdioExplicit whether {@code Stdio} was written (when not, a process whose stdout is
 *                      journald sends warnings there)
 * @param instanceFileName per-instance log pattern with {@code $SELECTOR$} (accepted, not yet used)
 * @param rolling       rotation and retention of the main log (ours)
 * @param json          the main log as JSON lines instead of text (ours: {@code Log[Json]})
 * @param configFile    an operator's logback.xml that replaces all of the above (ours: {@code Log[ConfigFile]})
 */
public record LogSettings(Path fileName, Level level, Stdio stdio, Level stdioLevel, boolean stdioExplicit,
                          Optional<String> instanceFileName, Rolling rolling, boolean json,
                          Optional<Path> configFile) {

    public enum Level { ERROR, WARNING, INFO, DEBUG, TRACE }

    public enum Stdio { STDOUT, STDERR, NONE }

    /**
     * Rotation of the main log: a new file each day and whenever one reaches
     * {@code maxFileSizeMb}; files older than {@code maxHistoryDays} are deleted, and the oldest
     * go first when all together exceed {@code totalSizeCapMb}.
     */
    public record Rolling(int maxFileSizeMb, int maxHistoryDays, int totalSizeCapMb) {
        public static final Rolling DEFAULT = new Rolling(100, 14, 2048);
    }

    public LogSettings {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(stdio, "stdio");
        Objects.requireNonNull(stdioLevel, "stdioLevel");
        Objects.requireNonNull(instanceFileName, "instanceFileName");
        Objects.requireNonNull(rolling, "rolling");
        Objects.requireNonNull(configFile, "configFile");
    }

    /** Plain text, default rotation, no operator logback.xml. */
    public static LogSettings of(Path fileName, Level level, Stdio stdio, Level stdioLevel) {
        return new LogSettings(fileName, level, stdio, stdioLevel, stdio != Stdio.NONE, Optional.empty(),
                Rolling.DEFAULT, false, Optional.empty());
    }
}
