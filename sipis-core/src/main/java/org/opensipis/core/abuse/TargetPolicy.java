package org.opensipis.core.abuse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where SIPIS may send REGISTERs ({@code <RegistrarTargets>}): checked by the HTTP interface
 * when an app registers (the literal, or the name's A/AAAA answers) and by the registration
 * engine on every address it resolved, before any packet is sent. For each (host, address,
 * port), in this order:
 * <ol>
 *   <li>the port must be in {@code Ports} (default every port);</li>
 *   <li>a matching {@code Deny} entry refuses;</li>
 *   <li>a cloud metadata address is refused unless an {@code Allow Network} inside the metadata
 *       range names it (a broad allow such as 169.254.0.0/16 does not open it);</li>
 *   <li>a matching {@code Allow} entry with a {@code Network} accepts (this is how an operator
 *       opts in private or loopback ranges it uses);</li>
 *   <li>loopback, link-local, multicast, unspecified, reserved, private and shared (CGNAT)
 *       ranges are refused (IPv4 embedded in NAT64, 6to4 and mapped IPv6 addresses too);</li>
 *   <li>with {@code AllowOthers="No"}, only targets matched by an {@code Allow} entry pass.</li>
 * </ol>
 * Every refusal names its rule. Immutable and thread-safe.
 */
public final class TargetPolicy {

    /** A built-in range and what it is. */
    record Builtin(Cidr range, String what, String optIn) {
        static Builtin of(String cidr, String what) {
            return new Builtin(Cidr.parse(cidr), what, cidr);
        }
    }

    static final List<Builtin> METADATA = List.of(
            Builtin.of("169.254.169.254/32", "a cloud metadata address"),
            Builtin.of("169.254.170.2/32", "a cloud metadata address"),
            Builtin.of("100.100.100.200/32", "a cloud metadata address"),
            Builtin.of("fd00:ec2::254/128", "a cloud metadata address"),
            Builtin.of("fd20:ce::254/128", "a cloud metadata address"));

    static final List<Builtin> INWARD = List.of(
            Builtin.of("0.0.0.0/8", "an unspecified (\"this network\") address"),
            Builtin.of("127.0.0.0/8", "a loopback address"),
            Builtin.of("169.254.0.0/16", "a link-local address"),
            Builtin.of("224.0.0.0/4", "a multicast address"),
            Builtin.of("240.0.0.0/4", "a reserved or broadcast address"),
            Builtin.of("10.0.0.0/8", "a private address"),
            Builtin.of("172.16.0.0/12", "a private address"),
            Builtin.of("192.168.0.0/16", "a private address"),
            Builtin.of("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
            Builtin.of("192.0.0.0/24", "an IETF protocol assignment address"),
            Builtin.of("198.18.0.0/15", "a benchmarking address"),
            Builtin.of("::/128", "the unspecified address"),
            Builtin.of("::1/128", "a loopback address"),
            Builtin.of("fe80::/10", "a link-local address"),
            Builtin.of("ff00::/8", "a multicast address"),
            Builtin.of("fc00::/7", "a private (unique local) address"),
            Builtin.of("fec0::/10", "a site-local address"));

    private final boolean allowOthers;
    private final PortSet ports;
    private final List<TargetRule> rules;

    /**
     * @param allowOthers {@code RegistrarTargets[AllowOthers]}: whether targets no Allow entry names pass
     * @param ports       {@code RegistrarTargets[Ports]}
     * @param rules       Allow and Deny entries in file order
     */
    public TargetPolicy(boolean allowOthers, PortSet ports, List<TargetRule> rules) {
        this.allowOthers = allowOthers;
        this.ports = Objects.requireNonNull(ports, "ports");
        this.rules = List.copyOf(rules);
    }

    /** The default: every port, no entries, inward ranges refused, other public addresses allowed. */
    public static TargetPolicy defaults() {
        return new TargetPolicy(true, PortSet.ALL, List.of());
    }

    /**
     * Checks what can be known before DNS: the port (0 = not known yet) and Deny entries that
     * have no Network. An IP literal host is checked completely.
     *
     * @return the refusal, naming the rule; empty = not refused (yet)
     */
    public Optional<String> checkName(String host, int port) {
        Optional<InetAddress> literal = Cidr.literal(host);
        if (literal.isPresent()) {
            return check(host, literal.get(), port);
        }
        if (port > 0 && !ports.contains(port)) {
            return Optional.of(portRefused(port));
        }
        for (TargetRule r : rules) {
            if (!r.allow() && r.network().isEmpty() && r.matches(host, null, port)) {
                return Optional.of(host + (port > 0 ? ":" + port : "") + " is refused by " + r.describe());
            }
        }
        return Optional.empty();
    }

    /** {@link #check} on every address; the first refusal wins (so one inward address refuses the lot). */
    public Optional<String> checkAll(String host, List<InetSocketAddress> addresses) {
        for (InetSocketAddress a : addresses) {
            if (a.getAddress() == null) {
                return Optional.of(host + " did not resolve to an address");
            }
            Optional<String> refused = check(host, a.getAddress(), a.getPort());
            if (refused.isPresent()) {
                return refused;
            }
        }
        return Optional.empty();
    }

    /**
     * Checks one resolved target.
     *
     * @param host    the registrar host as the app named it (a name or a literal)
     * @param address one address it resolved to
     * @param port    the port REGISTERs would go to; 0 = not known yet (port rules are skipped)
     * @return the refusal, naming the rule; empty = allowed
     */
    public Optional<String> check(String host, InetAddress address, int port) {
        String target = describe(host, address, port);
        if (port > 0 && !ports.contains(port)) {
            return Optional.of(portRefused(port));
        }
        Optional<InetAddress> embedded = Cidr.embeddedIpv4(address);
        for (TargetRule r : rules) {
            if (!r.allow() && (r.matches(host, address, port)
                    || embedded.isPresent() && r.network().isPresent() && r.matches(host, embedded.get(), port))) {
                return Optional.of(target + " is refused by " + r.describe());
            }
        }
        for (InetAddress a : embedded.isPresent() ? List.of(address, embedded.get()) : List.of(address)) {
            for (Builtin b : METADATA) {
                if (b.range().contains(a) && !explicitlyAllowed(host, a, port, b.range())) {
                    return Optional.of(target + " is refused: " + a.getHostAddress() + " is " + b.what()
                            + " (built-in rule; only <RegistrarTargets><Allow Network=\"" + b.optIn()
                            + "\"/> opens it)");
                }
            }
        }
        for (TargetRule r : rules) {
            if (r.allow() && r.network().isPresent() && r.matches(host, address, port)) {
                return Optional.empty();
            }
        }
        for (InetAddress a : embedded.isPresent() ? List.of(address, embedded.get()) : List.of(address)) {
            for (Builtin b : INWARD) {
                if (b.range().contains(a)) {
                    return Optional.of(target + " is refused: " + a.getHostAddress() + " is " + b.what()
                            + " (built-in rule; to register there, opt in with <RegistrarTargets><Allow Network=\""
                            + b.optIn() + "\"/> or a narrower range)");
                }
            }
        }
        if (!allowOthers && rules.stream().noneMatch(r -> r.allow() && r.matches(host, address, port))) {
            return Optional.of(target + " is refused: no RegistrarTargets/Allow entry names it and "
                    + "RegistrarTargets[AllowOthers] is No");
        }
        return Optional.empty();
    }

    private boolean explicitlyAllowed(String host, InetAddress a, int port, Cidr metadataRange) {
        return rules.stream().anyMatch(r -> r.allow() && r.network().isPresent()
                && r.network().get().within(metadataRange) && r.matches(host, a, port));
    }

    private String portRefused(int port) {
        return "port " + port + " is refused by RegistrarTargets[Ports=\"" + ports + "\"]";
    }

    private static String describe(String host, InetAddress address, int port) {
        String a = address.getHostAddress();
        String hostPart = Cidr.literal(host).isPresent() ? "" : host + " -> ";
        String addr = a.contains(":") ? "[" + a + "]" : a;
        return "registrar " + hostPart + addr + (port > 0 ? ":" + port : "");
    }

    public boolean allowOthers() {
        return allowOthers;
    }

    public PortSet ports() {
        return ports;
    }

    public List<TargetRule> rules() {
        return rules;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetPolicy t && t.allowOthers == allowOthers && t.ports.equals(ports) && t.rules.equals(rules);
    }

    @Override
    public int hashCode() {
        return Objects.hash(allowOthers, ports, rules);
    }

    @Override
    public String toString() {
        return "TargetPolicy[allowOthers=" + allowOthers + ", ports=" + ports + ", rules="
                + rules.stream().map(TargetRule::describe).toList() + "]";
    }
}
