package org.opensipis.server.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGHUP handling ({@code systemctl reload}); the JDK's only hook for it is sun.misc.Signal. */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /**
     * Runs {@code action} on each SIGHUP; where that is impossible, logs why reload is off.
     * A process started with SIGHUP ignored (under {@code nohup}, or by a parent that ignores it)
     * inherits that: the JVM then refuses to handle it and says so only by returning SIG_IGN.
     *
     * @return whether SIGHUP now runs {@code action}
     */
    static boolean onHangUp(Runnable action) {
        try {
            SignalHandler old = Signal.handle(new Signal("HUP"), s -> action.run());
            if (old == SignalHandler.SIG_IGN) {
                LOG.warn("SIGHUP is ignored by this process (it was started with SIGHUP ignored, e.g. under nohup):"
                        + " reload (systemctl reload, sipis ctl reload) is off; start it without nohup to use it");
                return false;
            }
            return true;
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled here ({}); reload needs a restart", e.getMessage());
            return false;
        }
    }
}
