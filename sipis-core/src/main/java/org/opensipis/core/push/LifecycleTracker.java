package org.opensipis.core.push;

import java.time.Instant;

/**
 * Feeds the instance life cycle (expiry warnings, Off at expiry), implemented in sipis-push.
 * The HTTP module reports every contact from the app; the SIP module reports registration
 * changes. Calls return at once; the work happens on the life cycle's own executor.
 */
public interface LifecycleTracker {

    /** The app registered or refreshed: the instance's age restarts at {@code lastAppContact}. */
    void contact(String selector, Instant lastAppContact, boolean premium);

    /** SIPIS holds a registration for the instance (true) or lost it / never got it (false). */
    void registration(String selector, boolean registered, Instant since);

    /** The instance was deleted; stop tracking it. */
    void forget(String selector);
}
