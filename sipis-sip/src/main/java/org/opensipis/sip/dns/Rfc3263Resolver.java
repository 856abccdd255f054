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
 * by priority and, within a priority, by weighted random choice. {@link #resolveWithTtl} also
 * tells how long the answer may be cached (the lowest TTL of the chain). Blocking: call it on a
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
        return resolveWithTtl(host, port, transport).targets();
    }

    /**
     * Ordered targets for {@code host} and how long they may be cached: the lowest TTL of the
     * records the targets were found through (the NAPTR, SRV and A/AAAA answers that had records).
     * Answers without records (no NAPTR, no SRV) do not lower it: their negative TTL is not known.
     */
    public Resolution resolveWithTtl(String host, int port, Transport transport) {
        String h = host.toLowerCase(Locale.ROOT);
        if (isIpLiteral(h)) {
            return new Resolution(addresses(h, port > 0 ? port : defaultPort(transport), transport, h, null),
                    Resolution.NO_DNS);
        }
        long[] ttl = {Resolution.NO_DNS};
        if (port > 0) {
            List<Target> out = addresses(h, port, transport, h, ttl);
            return new Resolution(out, ttl[0]);
        }
        String srvName = null;
        DnsLookup.Answer<DnsLookup.Naptr> naptrAnswer = dns.naptrAnswer(h);
        lower(ttl, naptrAnswer);
        List<DnsLookup.Naptr> naptrs = new ArrayList<>(naptrAnswer.records());
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
        DnsLookup.Answer<DnsLookup.Srv> srvAnswer = dns.srvAnswer(stripDot(srvName));
        lower(ttl, srvAnswer);
        for (DnsLookup.Srv s : orderSrv(srvAnswer.records())) {
            out.addAll(addresses(stripDot(s.target()), s.port(), transport, stripDot(s.target()), ttl));
        }
        if (out.isEmpty()) {
            out.addAll(addresses(h, defaultPort(transport), transport, h, ttl));
        }
        return new Resolution(out, ttl[0]);
    }

    /**
     * Targets and their cache lifetime.
     *
     * @param targets    ordered targets; empty when nothing resolved
     * @param ttlSeconds lowest TTL in the chain; {@link #NO_DNS} when no record was involved (an IP
     *                   literal), {@link DnsLookup#UNKNOWN_TTL} when the lookup could not tell
     */
    public record Resolution(List<Target> targets, long ttlSeconds) {
        /** No DNS record was involved: the targets do not expire. */
        public static final long NO_DNS = Long.MAX_VALUE;

        public Resolution {
            targets = List.copyOf(targets);
        }
    }

    private static void lower(long[] ttl, DnsLookup.Answer<?> answer) {
        if (answer.records().isEmpty() || ttl[0] == DnsLookup.UNKNOWN_TTL) {
            return;
        }
        ttl[0] = answer.ttlSeconds() == DnsLookup.UNKNOWN_TTL ? DnsLookup.UNKNOWN_TTL : Math.min(ttl[0], answer.ttlSeconds());
    }

    private List<Target> addresses(String host, int port, Transport transport, String serverName, long[] ttl) {
        DnsLookup.Answer<InetAddress> answer = dns.addressAnswer(host);
        if (ttl != null) {
            lower(ttl, answer);
        }
        List<Target> out = new ArrayList<>();
        for (InetAddress a : answer.records()) {
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
