package org.opensipis.core.shard;

import java.util.Objects;

/**
 * {@code Host:Port} as LB2 writes addresses: {@code Host = IPv4 | Name | [IPv4] | [IPv6] | [Name]},
 * {@code 0 < Port ≤ 65535}; host {@code 0} means any address.
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
    }

    public static HostPort parse(String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("Host:Port (e.g. \"127.0.0.1:14998\" or \"[::1]:14998\")");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                throw new IllegalArgumentException("Host:Port with a bracketed host closed by ']'");
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("Host:Port with an IPv6 host in brackets (e.g. \"[::1]:14998\")");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Host:Port with a port from 1 to 65535");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Host:Port with a port from 1 to 65535");
        }
        if (host.equals("0")) {
            host = "0.0.0.0";
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
