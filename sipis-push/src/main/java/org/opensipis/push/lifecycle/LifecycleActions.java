package org.opensipis.push.lifecycle;

import java.time.Instant;
import org.opensipis.core.push.Verb;

/** What the life cycle does when a step is due. Called on the life cycle's executor; must not block. */
public interface LifecycleActions {

    /** Send an about-to-expire push ({@link Verb#ABOUT_TO_EXPIRE_SILENT} or {@code _INTRUSIVE}). */
    void warn(String selector, Verb verb, Instant expiresAt);

    /** The instance expired: send the Off push, unregister, delete. */
    void expire(String selector, PlannedAction.Kind reason);
}
