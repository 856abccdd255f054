package org.opensipis.server.cli;

/**
 * Exit codes of the {@code sipis} command (documented in docs/operate.md): systemd's
 * {@code Restart=on-failure} restarts on any non-zero code, so a code also tells an operator
 * whether a restart can help.
 */
public final class ExitCodes {
    /** Ran and stopped cleanly, or the check passed. */
    public static final int OK = 0;
    /** Failed while running (I/O error, database unreachable at start, …). */
    public static final int FAILURE = 1;
    /** Bad command line (picocli's usage code). */
    public static final int USAGE = 2;
    /** Settings, LB2 file or sipis.key invalid: fix the files, a restart will not help. */
    public static final int CONFIGURATION = 3;
    /** Another process holds Lock[FileName]. */
    public static final int LOCKED = 4;

    private ExitCodes() {
    }
}
