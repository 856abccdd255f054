package org.opensipis.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.http.control.ControlPlane;
import org.opensipis.http.abuse.AbuseControls;
import org.opensipis.http.status.InstanceView;
import org.opensipis.http.status.ServerStatus;

/**
 * What the HTTP interface needs from the rest of the process, wired by the composition root.
 *
 * @param store                     where registrations go (sipis-store)
 * @param key                       sipis.key, to open sealed registrations; empty = plain only
 * @param acceptPlainRegistrations  {@code DataProtection[AcceptPlainRegistrations]}
 * @param lb2                       LB2 settings, to name the owner of a selector; empty = no LB2
 * @param shard                     this process's shard ({@code Server[Name]} and ownership)
 * @param status                    process status for /about, /stats, summary, metrics
 * @param instances                 instance snapshot for /stats, summary, metrics
 * @param meters                    the registry /metrics exposes (gauges are bound on start)
 * @param clock                     wall clock (registration times, Digest nonce expiry)
 * @param limits                    protective limits
 * @param abuse                     registrar targets, per-source limit, quotas and audit of /sipis/register
 * @param control                   the runtime view and handles of {@code /control/...}; empty = no control API
 */
public record HttpServices(InstanceStore store, Optional<SipisKey> key, boolean acceptPlainRegistrations,
                           Optional<Lb2Settings> lb2, Shard shard, ServerStatus status, InstanceView instances,
                           PrometheusMeterRegistry meters, Clock clock, HttpLimits limits, AbuseControls abuse,
                           Optional<ControlPlane> control) {

    /** Without the control API. */
    public HttpServices(InstanceStore store, Optional<SipisKey> key, boolean acceptPlainRegistrations,
                        Optional<Lb2Settings> lb2, Shard shard, ServerStatus status, InstanceView instances,
                        PrometheusMeterRegistry meters, Clock clock, HttpLimits limits, AbuseControls abuse) {
        this(store, key, acceptPlainRegistrations, lb2, shard, status, instances, meters, clock, limits, abuse,
                Optional.empty());
    }

    public HttpServices {
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lb2, "lb2");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(instances, "instances");
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(abuse, "abuse");
        if (!acceptPlainRegistrations && key.isEmpty()) {
            throw new IllegalArgumentException("DataProtection[AcceptPlainRegistrations] is No but no sipis.key is"
                    + " loaded: the registration endpoint could accept nothing");
        }
    }
}
