package org.opensipis.sip.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.opensipis.core.instance.SipAccount.Transport;

/**
 * Locating SIP servers (RFC 3263, client side) for a given transport: an IP literal or an explicit
 * port bypasses NAPTR/SRV; otherwise NAPTR (service SIP+D2U, SIP+D2T or SIPS+D2T) leads to SRV,
 * else the transport's SRV name directly, else A/AAAA on the default port. SRV targets are ordered
 * by priority and, within a priority, by weighted random choice. Blocking: call it on a
 * blocking executor. Stateless apart from the random source.
 */
public final class Rfc3263Resolver {

    private final DnsLookup dns;
    private final Random random;

    public Rfc3263Resolver(DnsLookup dns, Random random) {
        this.dns = dns;
        this.random = random;
    }

    /** Ordered targets for {@code host}; empty when nothing resolves. */
    public List<Target> resolve(String host, int port, Transport transport) {
        String h = host.toLowerCase(Locale.ROOT);
        if (isIpLiteral(h) || port > 0) {
            return addresses(h, port > 0 ? port : defaultPort(transport), transport, h);
        }
        String srvName = null;
        List<DnsLookup.Naptr> naptrs = new ArrayList<>(dns.naptr(h));
        naptrs.sort(Comparator.comparingInt(DnsLookup.Naptr::order).thenComparingInt(DnsLookup.Naptr::preference));
        for (DnsLookup.Naptr n : naptrs) {
            if (n.flags().equalsIgnoreCase("s") && n.service().equalsIgnoreCase(naptrService(transport))) {
                srvName = n.replacement();
                break;
            }
        }
        if (srvName == null) {
            srvName = srvPrefix(transport) + h;
        }
        List<Target> out = new ArrayList<>();
        for (DnsLookup.Srv s : orderSrv(dns.srv(stripDot(srvName)))) {
            out.addAll(addresses(stripDot(s.target()), s.port(), transport, stripDot(s.target())));
        }
        if (out.isEmpty()) {
            out.addAll(addresses(h, defaultPort(transport), transport, h));
        }
        return out;
    }

    private List<Target> addresses(String host, int port, Transport transport, String serverName) {
        List<Target> out = new ArrayList<>();
        for (InetAddress a : dns.addresses(host)) {
            out.add(new Target(transport, new InetSocketAddress(a, port), serverName));
        }
        return out;
    }

    List<DnsLookup.Srv> orderSrv(List<DnsLookup.Srv> records) {
        List<DnsLookup.Srv> left = new ArrayList<>(records);
        left.sort(Comparator.comparingInt(DnsLookup.Srv::priority));
        List<DnsLookup.Srv> out = new ArrayList<>();
        while (!left.isEmpty()) {
            int prio = left.get(0).priority();
            List<DnsLookup.Srv> group = new ArrayList<>();
            left.removeIf(s -> s.priority() == prio && group.add(s));
            while (!group.isEmpty()) {
                int total = group.stream().mapToInt(DnsLookup.Srv::weight).sum();
                int pick = total == 0 ? 0 : random.nextInt(total + 1);
                int acc = 0;
                DnsLookup.Srv chosen = group.get(0);
                for (DnsLookup.Srv s : group) {
                    acc += s.weight();
                    if (acc >= pick) {
                        chosen = s;
                        break;
                    }
                }
                group.remove(chosen);
                if (!chosen.target().equals(".")) {
                    out.add(chosen);
                }
            }
        }
        return out;
    }

    static boolean isIpLiteral(String h) {
        return h.contains(":") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    static int defaultPort(Transport t) {
        return t == Transport.TLS ? 5061 : 5060;
    }

    private static String naptrService(Transport t) {
        switch (t) {
            case UDP: return "SIP+D2U";
            case TCP: return "SIP+D2T";
            default: return "SIPS+D2T";
        }
    }

    private static String srvPrefix(Transport t) {
        switch (t) {
            case UDP: return "_sip._udp.";
            case TCP: return "_sip._tcp.";
            default: return "_sips._tcp.";
        }
    }

    private static String stripDot(String s) {
        return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }
}
