package org.opensipis.http.abuse;

import java.util.Objects;
import org.opensipis.core.abuse.AdmissionStore;
import org.opensipis.core.abuse.HostResolver;
import org.opensipis.core.settings.AbuseSettings;

/**
 * What the abuse controls of the HTTP interface need, wired by the composition root.
 *
 * @param settings   {@code <RegistrarTargets>} and {@code <RegisterLimits>}
 * @param admissions stores registrations within the quotas and keeps their origin (sipis-store)
 * @param resolver   A/AAAA lookups for the registrar check at registration time
 */
public record AbuseControls(AbuseSettings settings, AdmissionStore admissions, HostResolver resolver) {
    public AbuseControls {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(admissions, "admissions");
        Objects.requireNonNull(resolver, "resolver");
    }
}
