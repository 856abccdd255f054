package org.opensipis.core.push;

import java.time.Duration;
import org.opensipis.core.settings.PushRoute;

/**
 * Counters hook for /metrics: every method has a no-op default, so a binding overrides only
 * what it counts. Called on push threads; implementations must be thread-safe and must not
 * block.
 */
public interface PushListener {

    PushListener NONE = new PushListener() {
    };

    /** A push finished (after its retries) with this outcome; latency from submit to outcome. */
    default void completed(PushRoute.Kind provider, Verb verb, PushOutcome.Kind outcome, Duration latency) {
    }

    /** A push is tried again after a transient failure. */
    default void retried(PushRoute.Kind provider, Verb verb) {
    }

    /** A dead token was removed from its instance. */
    default void tokenRemoved(PushRoute.Kind provider) {
    }

    /** A provider's circuit breaker opened (true) or closed again (false). */
    default void circuitChanged(PushRoute.Kind provider, boolean open) {
    }

    /** A push was refused at once because the provider's queue was full. */
    default void queueFull(PushRoute.Kind provider) {
    }
}
