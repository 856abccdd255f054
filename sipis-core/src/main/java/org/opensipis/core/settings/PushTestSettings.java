package org.opensipis.core.settings;

import java.time.Duration;
import java.util.Objects;

/** {@code <PushTest Enabled>} with {@code <MinAge>}: periodic test pushes (7 days). */
public record PushTestSettings(boolean enabled, Duration minAge) {
    public PushTestSettings {
        Objects.requireNonNull(minAge, "minAge");
    }
}
