package org.opensipis.core.settings;

import java.util.List;
import java.util.Objects;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.abuse.TargetPolicy;

/**
 * The abuse controls (ours): {@code <RegistrarTargets>}, where SIPIS may register, and
 * {@code <RegisterLimits>}, how much one client may ask of {@code /sipis/register}. See
 * docs/http-api.md ("Threat model") and docs/configure.md.
 *
 * @param targets where REGISTERs may go
 * @param limits  per-source rate and quotas
 */
public record AbuseSettings(TargetPolicy targets, RegisterLimits limits) {

    public AbuseSettings {
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(limits, "limits");
    }

    /** Everything at its default. */
    public static AbuseSettings defaults() {
        return new AbuseSettings(TargetPolicy.defaults(), RegisterLimits.DEFAULTS);
    }

    /**
     * {@code <RegisterLimits>}.
     *
     * @param perSourceRate    requests per second one source may make to /sipis/register and its
     *                         verbs, sustained (token bucket); 0 = no per-source limit
     * @param perSourceBurst   requests one source may make at once (the bucket's size)
     * @param maxSources       sources tracked at once; beyond, new sources share one bucket
     * @param ipv6SourcePrefix IPv6 sources are counted per network of this prefix length (a
     *                         subscriber usually holds a whole /64)
     * @param trustedProxies   peers whose X-Forwarded-For names the client (nginx)
     * @param quotas           instances per registrar host and per SIP user
     */
    public record RegisterLimits(double perSourceRate, int perSourceBurst, int maxSources, int ipv6SourcePrefix,
                                 List<Cidr> trustedProxies, Quotas quotas) {

        public static final List<Cidr> DEFAULT_TRUSTED_PROXIES = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1"));
        public static final RegisterLimits DEFAULTS = new RegisterLimits(10, 100, 100_000, 64,
                DEFAULT_TRUSTED_PROXIES, new Quotas(50_000, 10));

        public RegisterLimits {
            trustedProxies = List.copyOf(trustedProxies);
            Objects.requireNonNull(quotas, "quotas");
            if (perSourceRate < 0 || perSourceBurst < 1 || maxSources < 1 || ipv6SourcePrefix < 1 || ipv6SourcePrefix > 128) {
                throw new IllegalArgumentException("invalid register limits");
            }
        }
    }
}
