package org.opensipis.push.lifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * One step of an instance's timeline.
 *
 * @param at        when it is due
 * @param kind      what to do
 * @param expiresAt the expiry it warns about (for {@link Kind#OFF}: {@code at})
 */
public record PlannedAction(Instant at, Kind kind, Instant expiresAt) {

    /** In the order they run when due at the same instant. */
    public enum Kind {
        /** A background push asking the app to renew its registration silently. */
        SILENT_WARNING,
        /** A visible warning asking the user to open the app. */
        INTRUSIVE_WARNING,
        /** The instance reached MaxAge (or PremiumMaxAge): Off push, unregister, delete. */
        OFF,
        /** The instance was not registered for NotRegisteredMaxAge: Off push, unregister, delete. */
        OFF_NOT_REGISTERED;

        public boolean isOff() {
            return this == OFF || this == OFF_NOT_REGISTERED;
        }
    }

    public PlannedAction {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
