package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.Objects;

/** {@code <Lock FileName>}: unique per process; keeps two processes off one settings file. */
public record LockSettings(Path fileName) {
    public LockSettings {
        Objects.requireNonNull(fileName, "fileName");
    }
}
