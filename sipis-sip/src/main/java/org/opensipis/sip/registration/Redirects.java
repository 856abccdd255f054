package org.opensipis.sip.registration;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.sip.dns.Target;
import org.opensipis.sip.message.HeaderNames;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/**
 * A 3xx to a REGISTER (RFC 3261 8.1.3.4): the next REGISTER goes to the first sip/sips Contact of
 * the redirect, used as the next hop (host, port, transport; the Request-URI and the AoR stay),
 * resolved as any registrar is (RFC 3263, the same target rules), at most {@link #MAX_HOPS} times
 * in a row. A redirect may not send us to another kind of address than the registrar that sent
 * it (a public registrar cannot point us at loopback, private or link-local addresses; multicast
 * never): the registrar's answer is not trusted to choose where SIPIS sends traffic. Stateless;
 * the hops are counted in {@link Registration}.
 */
final class Redirects {

    static final int MAX_HOPS = 3;

    private Redirects() {
    }

    /**
     * Records the redirect in {@code r} when it can be followed; false (a fatal failure then) when
     * the Contact is unusable or the hops are used up.
     */
    static boolean follow(Registration r, InetSocketAddress from, SipMessage m) {
        if (r.redirects() >= MAX_HOPS) {
            return false;
        }
        Optional<SipAccount> next = nextHop(r.record.account(), m);
        if (next.isEmpty()) {
            return false;
        }
        r.redirected(next.get(), from);
        return true;
    }

    /** Forgets a redirect: the next attempt goes to the configured registrar again. */
    static void reset(Registration r) {
        r.redirectsReset();
    }

    /** The account to resolve for the next hop: the first sip/sips Contact's host, port and transport. */
    static Optional<SipAccount> nextHop(SipAccount a, SipMessage m) {
        for (String c : m.headers(HeaderNames.CONTACT)) {
            String uri = HeaderParams.uri(c);
            boolean sips = uri.regionMatches(true, 0, "sips:", 0, 5);
            if (!sips && !uri.regionMatches(true, 0, "sip:", 0, 4)) {
                continue;
            }
            int at = uri.lastIndexOf('@');
            int from = at >= 0 ? at + 1 : uri.indexOf(':') + 1;
            int end = from;
            while (end < uri.length() && uri.charAt(end) != ';' && uri.charAt(end) != '?') {
                end++;
            }
            String hostport = uri.substring(from, end);
            int colon = hostport.startsWith("[") ? hostport.indexOf(':', hostport.indexOf(']')) : hostport.lastIndexOf(':');
            String host = colon < 0 ? hostport : hostport.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 0 : Integer.parseInt(hostport.substring(colon + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty() || port < 0 || port > 65_535) {
                continue;
            }
            String tp = HeaderParams.uriParam(uri, "transport");
            SipAccount.Transport t = sips ? SipAccount.Transport.TLS
                    : tp == null ? a.transport()
                    : switch (tp.toLowerCase(Locale.ROOT)) {
                        case "tcp" -> SipAccount.Transport.TCP;
                        case "tls" -> SipAccount.Transport.TLS;
                        case "udp" -> SipAccount.Transport.UDP;
                        default -> a.transport();
                    };
            return Optional.of(new SipAccount(a.user(), a.authUser(), a.password(), a.domain(), Optional.of(host), port, t,
                    a.displayName(), a.expires()));
        }
        return Optional.empty();
    }

    /** The targets of the same kind of address as {@code from} (the registrar that redirected). */
    static List<Target> sameScope(List<Target> targets, InetSocketAddress from) {
        int scope = scope(from.getAddress());
        return targets.stream().filter(t -> scope(t.address().getAddress()) == scope && scope >= 0).toList();
    }

    /** 0 loopback, 1 private (site-local, link-local, unique-local, any), 2 public, -1 multicast (never). */
    static int scope(InetAddress a) {
        if (a == null || a.isMulticastAddress()) {
            return -1;
        }
        if (a.isLoopbackAddress()) {
            return 0;
        }
        byte[] b = a.getAddress();
        boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
        if (a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || uniqueLocal
                || (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64)) {
            return 1;
        }
        return 2;
    }
}
