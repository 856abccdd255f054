package org.opensipis.core.xml;

import java.nio.file.Path;

/**
 * One thing wrong (or suspicious) in a settings file: where it is, what was found, what was
 * expected. {@link #toString()} is the line an operator reads.
 */
public record Problem(Severity severity, Path file, int line, String path, String message) {

    public enum Severity { ERROR, WARNING }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        String where = (file == null ? "<input>" : file.toString()) + (line > 0 ? ":" + line : "");
        return where + ": " + (severity == Severity.ERROR ? "error" : "warning") + ": "
                + (path == null || path.isEmpty() ? "" : path + ": ") + message;
    }
}
