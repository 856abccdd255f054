package org.opensipis.core.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code <Instance>}: how instances behave and how long they live.
 *
 * @param userAgent             {@code User-Agent} of every REGISTER and response
 * @param maxAge                life without contact from the app (3 days)
 * @param premiumMaxAge         the same for premium instances (7 days)
 * @param notRegisteredMaxAge   longest time not registered before Off (12 hours)
 * @param silentIn              silent renewal pushes start this long before expiry (24 h)
 * @param silentPeriod          and repeat this often (1 h)
 * @param intrusiveIn           the first intrusive warning this long before expiry (12 h)
 * @param intrusivePeriod       and repeats this often (11 h)
 * @param keepAlive             keep-alives on registrar flows
 * @param keepAlivePeriod       their period (30 s)
 */
public record InstanceSettings(String userAgent, Duration maxAge, Duration premiumMaxAge,
                               Duration notRegisteredMaxAge, Duration silentIn, Duration silentPeriod,
                               Duration intrusiveIn, Duration intrusivePeriod, boolean keepAlive,
                               Duration keepAlivePeriod) {
    public InstanceSettings {
        Objects.requireNonNull(userAgent, "userAgent");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(premiumMaxAge, "premiumMaxAge");
        Objects.requireNonNull(notRegisteredMaxAge, "notRegisteredMaxAge");
        Objects.requireNonNull(silentIn, "silentIn");
        Objects.requireNonNull(silentPeriod, "silentPeriod");
        Objects.requireNonNull(intrusiveIn, "intrusiveIn");
        Objects.requireNonNull(intrusivePeriod, "intrusivePeriod");
        Objects.requireNonNull(keepAlivePeriod, "keepAlivePeriod");
    }
}
