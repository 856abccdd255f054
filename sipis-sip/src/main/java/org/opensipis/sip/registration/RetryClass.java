package org.opensipis.sip.registration;

import java.time.Duration;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.RegistrationSettings;

/** The three retry classes, each with its own exponential backoff and cap. */
enum RetryClass {
    /** Timeout, 408, 5xx, transport error. */
    TRANSIENT(RegistrationState.ERROR),
    /** 401/407 with our credentials, 403. */
    AUTH(RegistrationState.UNAUTHORIZED),
    /** Any other 4xx, 6xx, unusable responses. */
    FATAL(RegistrationState.ERROR);

    final RegistrationState state;

    RetryClass(RegistrationState state) {
        this.state = state;
    }

    /** Backoff before retry number {@code failures} (1 = first retry), capped. */
    long delayMillis(RegistrationSettings s, int failures) {
        Duration min;
        Duration max;
        switch (this) {
            case TRANSIENT: min = s.transientRetryMin(); max = s.transientRetryMax(); break;
            case AUTH: min = s.authRetryMin(); max = s.authRetryMax(); break;
            default: min = s.fatalRetryMin(); max = s.fatalRetryMax(); break;
        }
        long d = min.toMillis();
        for (int i = 1; i < failures && d < max.toMillis(); i++) {
            d *= 2;
        }
        return Math.min(d, max.toMillis());
    }
}
