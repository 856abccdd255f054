package org.opensipis.server.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** SIGHUP handling ({@code systemctl reload}); the JDK's only hook for it is sun.misc.Signal. */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Runs {@code action} on each SIGHUP; where the platform has no SIGHUP, logs why reload is off. */
    static void onHangUp(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), s -> action.run());
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled here ({}); reload needs a restart", e.getMessage());
        }
    }
}
