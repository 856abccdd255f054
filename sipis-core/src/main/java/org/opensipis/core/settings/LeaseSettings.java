package org.opensipis.core.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code <Lease>} (ours): ownership of selector prefixes in PostgreSQL, so that processes whose
 * LB2 files disagree for a while (a rebalance under way) never both keep an instance.
 *
 * @param enabled       {@code Lease[Enabled]}: register, refresh and answer calls only under a lease
 *                      this process holds (No: the LB2 file alone decides, as before)
 * @param duration      {@code <Duration>}: how long a lease lives without renewal (15 s)
 * @param renewPeriod   {@code <RenewPeriod>}: how often the owner renews its leases (5 s)
 * @param takeOver      {@code Lease[TakeOver]}: take the prefixes of a process whose leases lapsed
 * @param takeOverAfter {@code <TakeOverAfter>}: how long a lease must have lapsed before that (30 s)
 */
public record LeaseSettings(boolean enabled, Duration duration, Duration renewPeriod, boolean takeOver,
                            Duration takeOverAfter) {

    public static final LeaseSettings DEFAULTS = new LeaseSettings(false, Duration.ofSeconds(15), Duration.ofSeconds(5),
            false, Duration.ofSeconds(30));

    public LeaseSettings {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(renewPeriod, "renewPeriod");
        Objects.requireNonNull(takeOverAfter, "takeOverAfter");
    }

    /**
     * How long before the database would let the lease lapse this process stops acting on it by
     * itself (a slow or unreachable database): a third of the duration, at least one second.
     */
    public Duration safetyMargin() {
        Duration third = duration.dividedBy(3);
        return third.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : third;
    }
}
