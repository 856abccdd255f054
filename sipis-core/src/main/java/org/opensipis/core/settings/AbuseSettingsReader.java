package org.opensipis.core.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.abuse.DomainPattern;
import org.opensipis.core.abuse.PortSet;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.abuse.TargetPolicy;
import org.opensipis.core.abuse.TargetRule;
import org.opensipis.core.xml.ElementReader;

/**
 * Reads {@code <RegistrarTargets AllowOthers Ports><Allow|Deny Domain Network Ports/></RegistrarTargets>}
 * and {@code <RegisterLimits PerSourceRate PerSourceBurst MaxSources IPv6SourcePrefix TrustedProxies
 * MaxInstancesPerRegistrar MaxInstancesPerUser/>}.
 */
final class AbuseSettingsReader {

    private AbuseSettingsReader() {
    }

    static AbuseSettings read(ElementReader root) {
        return new AbuseSettings(targets(root.child("RegistrarTargets")), limits(root.child("RegisterLimits")));
    }

    private static TargetPolicy targets(ElementReader t) {
        boolean allowOthers = t.yesNo("AllowOthers", true);
        PortSet ports = t.parsed("Ports", PortSet::parse).orElse(PortSet.ALL);
        List<TargetRule> rules = new ArrayList<>();
        for (ElementReader e : t.childrenNamed("Allow", "Deny")) {
            boolean allow = e.key().equals("allow");
            Optional<DomainPattern> domain = e.parsed("Domain", DomainPattern::parse);
            Optional<Cidr> network = e.parsed("Network", Cidr::parse);
            Optional<PortSet> p = e.parsed("Ports", PortSet::parse);
            boolean given = e.optString("Domain").isPresent() || e.optString("Network").isPresent()
                    || e.optString("Ports").isPresent();
            if (!given) {
                e.error("an <" + (allow ? "Allow" : "Deny") + "> entry needs Domain, Network or Ports");
                continue;
            }
            if (domain.isEmpty() && network.isEmpty() && p.isEmpty()) {
                continue; // the bad value was reported
            }
            String where = (e.file() == null ? "" : e.file().getFileName() + ":") + e.line();
            rules.add(new TargetRule(allow, domain, network, p, where));
        }
        return new TargetPolicy(allowOthers, ports, rules);
    }

    private static AbuseSettings.RegisterLimits limits(ElementReader l) {
        AbuseSettings.RegisterLimits d = AbuseSettings.RegisterLimits.DEFAULTS;
        double rate = l.decimal("PerSourceRate", d.perSourceRate(), 0, 1_000_000);
        int burst = l.integer("PerSourceBurst", d.perSourceBurst(), 1, 1_000_000);
        int maxSources = l.integer("MaxSources", d.maxSources(), 1, 10_000_000);
        int v6 = l.integer("IPv6SourcePrefix", d.ipv6SourcePrefix(), 1, 128);
        List<Cidr> trusted = l.parsed("TrustedProxies", AbuseSettingsReader::cidrs).orElse(d.trustedProxies());
        int perRegistrar = l.integer("MaxInstancesPerRegistrar", d.quotas().perRegistrar(), 0, Integer.MAX_VALUE);
        int perUser = l.integer("MaxInstancesPerUser", d.quotas().perUser(), 0, Integer.MAX_VALUE);
        return new AbuseSettings.RegisterLimits(rate, burst, maxSources, v6, trusted, new Quotas(perRegistrar, perUser));
    }

    /** A list of networks separated by commas or spaces; empty = none. */
    static List<Cidr> cidrs(String text) {
        List<Cidr> out = new ArrayList<>();
        for (String s : text.split("[,\\s]+")) {
            if (!s.isEmpty()) {
                try {
                    out.add(Cidr.parse(s));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("networks such as 127.0.0.1, ::1 or 10.0.0.0/8 separated by "
                            + "commas (\"" + s + "\" is not one), or nothing");
                }
            }
        }
        return out;
    }
}
