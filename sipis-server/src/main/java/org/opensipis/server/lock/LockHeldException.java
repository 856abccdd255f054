package org.opensipis.server.lock;

import java.nio.file.Path;

/** Another running process holds {@code Lock[FileName]}. */
public final class LockHeldException extends Exception {
    private static final long serialVersionUID = 1L;

    public LockHeldException(Path file, String holderPid) {
        super("Lock[FileName] " + file + " is held by " + (holderPid.isEmpty() ? "another process" : "pid " + holderPid)
                + ": a sipis process already runs with these settings (each process needs its own lock file)");
    }
}
