package org.opensipis.http.abuse;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.http.route.HttpCall;

/**
 * Who sent a request: the TCP peer, or, when the peer is a trusted proxy, the address its
 * {@code X-Forwarded-For} names. The list is read from the right, skipping trusted proxies, so a
 * client cannot choose its address by sending an X-Forwarded-For of its own (nginx's
 * {@code $proxy_add_x_forwarded_for} appends the real peer to whatever the client sent).
 *
 * @param address the client
 * @param via     the trusted proxy it came through, if any
 * @param known   false when a trusted proxy sent no usable X-Forwarded-For: the client is unknown
 */
public record ClientAddress(InetAddress address, Optional<InetAddress> via, boolean known) {

    /** The client of a call, given the trusted proxies ({@code RegisterLimits[TrustedProxies]}). */
    public static ClientAddress of(HttpCall call, List<Cidr> trustedProxies) {
        InetAddress peer = peer(call.remote());
        if (peer == null || !trusted(peer, trustedProxies)) {
            return new ClientAddress(peer == null ? InetAddress.getLoopbackAddress() : peer, Optional.empty(), peer != null);
        }
        String xff = call.header("x-forwarded-for").orElse("").trim();
        if (xff.isEmpty()) {
            return new ClientAddress(peer, Optional.empty(), false);
        }
        String[] hops = xff.split(",");
        InetAddress client = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            Optional<InetAddress> a = Cidr.literal(stripPort(hops[i].trim()));
            if (a.isEmpty()) {
                break;
            }
            client = a.get();
            if (!trusted(client, trustedProxies)) {
                break;
            }
        }
        return client == null ? new ClientAddress(peer, Optional.empty(), false)
                : new ClientAddress(client, Optional.of(peer), true);
    }

    /** The key the per-source limit counts: the address, or its IPv6 network of {@code v6Prefix} bits. */
    public String limitKey(int v6Prefix) {
        return address.getAddress().length == 16 ? Cidr.networkOf(address, v6Prefix) : address.getHostAddress();
    }

    private static boolean trusted(InetAddress a, List<Cidr> trusted) {
        for (Cidr c : trusted) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** {@code 192.0.2.1:1234} -> {@code 192.0.2.1}, {@code [2001:db8::1]:1234} -> {@code [2001:db8::1]}. */
    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end < 0 ? hop : hop.substring(0, end + 1);
        }
        int colon = hop.indexOf(':');
        return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }

    /** The address in Netty's {@code String.valueOf(remoteAddress)}: {@code /192.0.2.1:1234}, {@code /[::1]:1234}. */
    static InetAddress peer(String remote) {
        String r = remote.substring(remote.indexOf('/') + 1);
        int colon = r.lastIndexOf(':');
        if (colon > 0) {
            r = r.substring(0, colon);
        }
        return Cidr.literal(r).orElse(null);
    }

    /** For logs and the audit: the address, and the proxy it came through. */
    public String describe() {
        return address.getHostAddress() + via.map(v -> " via " + v.getHostAddress()).orElse("");
    }
}
