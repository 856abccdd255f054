package org.opensipis.server.plan;

/**
 * {@code --private-net}: the leading octets of a private IPv4 network ({@code 10}, {@code 10.x},
 * {@code 10.5}, {@code 172.16}, {@code 192.168.7}). Each process gets a distinct address in it,
 * which the seed recommends for easier debugging: with one or two octets given,
 * {@code NET.host.(p+1)}; with three, {@code NET.(host × perHost + p + 1)}.
 */
final class PrivateNet {

    private PrivateNet() {
    }

    static int[] parse(String text) {
        String[] parts = text.trim().replaceFirst("/\\d{1,2}$", "").split("\\.");
        int n = 0;
        int[] octets = new int[parts.length];
        for (String part : parts) {
            if (part.equalsIgnoreCase("x") || part.equals("*") || part.equals("0") && n > 0 && allWild(parts, n)) {
                break;
            }
            if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255) {
                throw new IllegalArgumentException("\"" + text + "\" is not the start of an IPv4 network (e.g. 10, 10.x or 10.5)");
            }
            octets[n++] = Integer.parseInt(part);
        }
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("\"" + text + "\" must give 1 to 3 leading octets (e.g. 10, 10.5 or 192.168.7)");
        }
        int a = octets[0];
        int b = n > 1 ? octets[1] : -1;
        boolean priv = a == 10 || (a == 172 && (n == 1 || b >= 16 && b <= 31)) || (a == 192 && (n == 1 || b == 168));
        if (!priv || (a != 10 && n < 2)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a private network (10, 172.16–31 or 192.168)");
        }
        int[] out = new int[n];
        System.arraycopy(octets, 0, out, 0, n);
        return out;
    }

    private static boolean allWild(String[] parts, int from) {
        for (int i = from; i < parts.length; i++) {
            if (!parts[i].equals("0") && !parts[i].equalsIgnoreCase("x") && !parts[i].equals("*")) {
                return false;
            }
        }
        return true;
    }

    static String address(int[] net, int host, int p, int perHost) {
        if (net.length == 3) {
            int last = host * perHost + p + 1;
            if (last > 254) {
                throw new IllegalArgumentException("--private-net " + net[0] + "." + net[1] + "." + net[2]
                        + " has room for 254 processes; give two octets (e.g. " + net[0] + "." + net[1] + ")");
            }
            return net[0] + "." + net[1] + "." + net[2] + "." + last;
        }
        String second = net.length == 2 ? Integer.toString(net[1]) : "0";
        return net[0] + "." + second + "." + host + "." + (p + 1);
    }
}
