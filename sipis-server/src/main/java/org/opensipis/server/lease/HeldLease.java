package org.opensipis.server.lease;

import java.util.Optional;
import org.opensipis.core.shard.SelectorPrefix;

/**
 * A lease this process holds: its prefix and epoch, the local deadline after which it stops
 * acting on it whatever the database says (the time the last successful renewal was sent, plus
 * the duration, minus the safety margin), and the gainer it is being handed to, if any.
 */
record HeldLease(SelectorPrefix prefix, long epoch, long deadlineMillis, Optional<String> releasedTo,
                 Optional<java.time.Instant> releasedAt) {

    boolean covers(String selector) {
        return prefix.matches(selector);
    }
}
