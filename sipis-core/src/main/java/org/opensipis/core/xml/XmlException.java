package org.opensipis.core.xml;

import java.nio.file.Path;

/** A settings file could not be read as XML; the message names the file and line. */
public final class XmlException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    public XmlException(Path file, int line, String message) {
        super((file == null ? "<input>" : file.toString()) + (line > 0 ? ":" + line : "") + ": " + message);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
