package org.opensipis.http.status;

import java.time.Duration;
import java.util.Objects;
import org.opensipis.core.instance.RegistrationState;

/**
 * One row of the {@code /stats} Instances table.
 *
 * @param selector the instance
 * @param user     SIP user name
 * @param domain   SIP domain
 * @param proxy    outbound proxy, empty if none
 * @param port     explicit port, 0 = DNS SRV / default
 * @param state    registration state
 * @param reason   why it is in that state, empty if nothing to say
 * @param age      time since the app last contacted us (shown in 5-second ticks)
 * @param notes    devices, calls and waiting items, e.g. "devices 2, calls 0, waiting 0"
 */
public record InstanceRow(String selector, String user, String domain, String proxy, int port,
                          RegistrationState state, String reason, Duration age, String notes) {
    public InstanceRow {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(age, "age");
        Objects.requireNonNull(notes, "notes");
    }

    /** Age in the 5-second ticks /stats shows. */
    public long ageTicks() {
        return Math.max(0, age.toSeconds() / 5);
    }
}
