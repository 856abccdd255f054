package org.opensipis.core.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code <Restart>} with {@code <SavePeriod>} and {@code <PollPeriod>}: how often buffered
 * instance state is written to the database (1 s) and how often the database is polled for
 * registrations made through other processes, as a safety net behind LISTEN/NOTIFY (30 s).
 */
public record RestartSettings(Duration savePeriod, Duration pollPeriod) {
    public RestartSettings {
        Objects.requireNonNull(savePeriod, "savePeriod");
        Objects.requireNonNull(pollPeriod, "pollPeriod");
    }
}
