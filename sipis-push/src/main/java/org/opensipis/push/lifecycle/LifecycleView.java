package org.opensipis.push.lifecycle;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the life cycle needs to know about one instance.
 *
 * @param selector           the instance
 * @param lastAppContact     last registration or refresh from the app (the age starts here)
 * @param premium            premium instances live {@code PremiumMaxAge}
 * @param notRegisteredSince since when SIPIS has not held a registration, if it does not now
 */
public record LifecycleView(String selector, Instant lastAppContact, boolean premium,
                            Optional<Instant> notRegisteredSince) {
    public LifecycleView {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(lastAppContact, "lastAppContact");
        Objects.requireNonNull(notRegisteredSince, "notRegisteredSince");
    }
}
