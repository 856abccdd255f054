package org.opensipis.core.abuse;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address range, {@code 10.0.0.0/8}, {@code fd00::/8}, or a single address
 * ({@code 192.0.2.7} = {@code /32}). Parsing never touches DNS. Immutable.
 */
public final class Cidr {

    private static final Pattern V4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code address[/prefix]}.
     *
     * @throws IllegalArgumentException with what is expected
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress a = literal(addr).orElseThrow(() -> new IllegalArgumentException(
                "an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8"));
        int bits = a.getAddress().length * 8;
        int p = bits;
        if (slash >= 0) {
            String ps = t.substring(slash + 1);
            if (!ps.matches("\\d{1,3}") || Integer.parseInt(ps) > bits) {
                throw new IllegalArgumentException("a prefix length from 0 to " + bits + " after the '/'");
            }
            p = Integer.parseInt(ps);
        }
        byte[] net = a.getAddress();
        mask(net, p);
        return new Cidr(net, p);
    }

    /**
     * The address of an IP literal ({@code 192.0.2.1}, {@code 2001:db8::1}, {@code [2001:db8::1]}),
     * empty for anything else (host names included: no DNS query is made).
     */
    public static Optional<InetAddress> literal(String host) {
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            if (V4.matcher(h).matches()) {
                return Optional.of(InetAddress.getByName(h));
            }
            if (h.contains(":") && h.matches("[0-9A-Fa-f:.]+")) {
                // brackets make the JDK insist on a literal: an invalid one fails instead of a DNS query
                return Optional.of(InetAddress.getByName("[" + h + "]"));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void mask(byte[] b, int prefix) {
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] = (byte) (b[i] & (0xFF << (8 - keep)));
        }
    }

    /** Whether the address lies in this range (an IPv4 range never contains an IPv6 address). */
    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != network.length) {
            return false;
        }
        mask(b, prefix);
        return Arrays.equals(b, network);
    }

    /** Whether this whole range lies inside {@code other}. */
    public boolean within(Cidr other) {
        if (network.length != other.network.length || prefix < other.prefix) {
            return false;
        }
        byte[] b = network.clone();
        mask(b, other.prefix);
        return Arrays.equals(b, other.network);
    }

    public int prefix() {
        return prefix;
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    /** The range as an address (network part only), e.g. to key a rate limiter by /64. */
    public static String networkOf(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        mask(b, Math.min(prefix, b.length * 8));
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/" + Math.min(prefix, b.length * 8);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        try {
            InetAddress a = InetAddress.getByAddress(network);
            String s = a instanceof Inet6Address ? a.getHostAddress().toLowerCase(Locale.ROOT) : a.getHostAddress();
            return s + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    /** The IPv4 address embedded in an IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4 address. */
    static Optional<InetAddress> embeddedIpv4(InetAddress a) {
        if (a instanceof Inet4Address) {
            return Optional.empty();
        }
        byte[] b = a.getAddress();
        byte[] v4 = null;
        boolean zero80 = true;
        for (int i = 0; i < 10; i++) {
            zero80 &= b[i] == 0;
        }
        if (zero80 && ((b[10] == (byte) 0xFF && b[11] == (byte) 0xFF) || (b[10] == 0 && b[11] == 0))) {
            boolean allZero = true;
            for (int i = 12; i < 16; i++) {
                allZero &= b[i] == 0;
            }
            if (!(b[10] == 0 && (allZero || (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1)))) {
                v4 = Arrays.copyOfRange(b, 12, 16); // ::a.b.c.d and ::ffff:a.b.c.d, not :: and ::1
            }
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B) {
            v4 = Arrays.copyOfRange(b, 12, 16);
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            v4 = Arrays.copyOfRange(b, 2, 6);
        }
        if (v4 == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(v4));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
