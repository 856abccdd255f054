package org.opensipis.core.abuse;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code <RegistrarTargets><Allow …/>} or {@code <Deny …/>} entry. Every condition it has
 * must hold for it to match: the registrar host name against {@code domain}, the resolved
 * address against {@code network}, the port against {@code ports}.
 *
 * @param allow   Allow (true) or Deny (false)
 * @param domain  host name pattern, if any
 * @param network address range, if any
 * @param ports   ports, if any
 * @param where   file and line of the entry, for messages
 */
public record TargetRule(boolean allow, Optional<DomainPattern> domain, Optional<Cidr> network,
                         Optional<PortSet> ports, String where) {

    public TargetRule {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(where, "where");
        if (domain.isEmpty() && network.isEmpty() && ports.isEmpty()) {
            throw new IllegalArgumentException("a rule needs Domain, Network or Ports");
        }
    }

    /** Whether the rule matches; an unknown address (null) or port (0) never satisfies a condition on it. */
    boolean matches(String host, InetAddress address, int port) {
        if (domain.isPresent() && (host == null || !domain.get().matches(host))) {
            return false;
        }
        if (network.isPresent() && (address == null || !network.get().contains(address))) {
            return false;
        }
        return ports.isEmpty() || port > 0 && ports.get().contains(port);
    }

    /** The entry as written, e.g. {@code RegistrarTargets/Deny[Network="10.0.0.0/8"]}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        domain.ifPresent(d -> parts.add("Domain=\"" + d + "\""));
        network.ifPresent(n -> parts.add("Network=\"" + n + "\""));
        ports.ifPresent(p -> parts.add("Ports=\"" + p + "\""));
        return "RegistrarTargets/" + (allow ? "Allow" : "Deny") + "[" + String.join(" ", parts) + "]"
                + (where.isEmpty() ? "" : " (" + where + ")");
    }
}
