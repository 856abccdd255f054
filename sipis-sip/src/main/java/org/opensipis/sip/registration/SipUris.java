package org.opensipis.sip.registration;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * SIP URI equality as RFC 3261 19.1.4 defines it, for finding our own binding among the
 * Contacts of a REGISTER response (10.2.4: the registrar lists every binding of the AoR, and
 * a stale binding of ours with the same user part may be among them). Stateless.
 */
final class SipUris {

    /** Parameters that must match when either URI has them (19.1.4). */
    private static final Set<String> MUST_MATCH = Set.of("transport", "user", "ttl", "method", "maddr");

    private SipUris() {
    }

    /**
     * Whether two sip:/sips: URIs are equivalent: same scheme, user info compared case-sensitively
     * after unescaping, host case-insensitively, the same explicit port (none differs from 5060),
     * transport/user/ttl/method/maddr present in both with equal values or in neither, other
     * parameters equal where both have them, and the same headers.
     */
    static boolean same(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        Parts x = Parts.of(a);
        Parts y = Parts.of(b);
        if (x == null || y == null || !x.scheme.equals(y.scheme) || !x.user.equals(y.user)
                || !x.host.equals(y.host) || x.port != y.port || !x.headers.equals(y.headers)) {
            return false;
        }
        for (Map.Entry<String, String> p : x.params.entrySet()) {
            String other = y.params.get(p.getKey());
            if (other == null ? MUST_MATCH.contains(p.getKey()) : !other.equalsIgnoreCase(p.getValue())) {
                return false;
            }
        }
        for (String k : y.params.keySet()) {
            if (MUST_MATCH.contains(k) && !x.params.containsKey(k)) {
                return false;
            }
        }
        return true;
    }

    private record Parts(String scheme, String user, String host, int port, Map<String, String> params, String headers) {

        static Parts of(String uri) {
            int colon = uri.indexOf(':');
            if (colon < 0) {
                return null;
            }
            String scheme = uri.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String rest = uri.substring(colon + 1);
            int q = rest.indexOf('?');
            String headers = q < 0 ? "" : rest.substring(q + 1);
            if (q >= 0) {
                rest = rest.substring(0, q);
            }
            int at = rest.lastIndexOf('@');
            String user = at < 0 ? "" : unescape(rest.substring(0, at));
            String hostPart = at < 0 ? rest : rest.substring(at + 1);
            int semi = hostPart.indexOf(';');
            String hostPort = semi < 0 ? hostPart : hostPart.substring(0, semi);
            Map<String, String> params = new HashMap<>();
            if (semi >= 0) {
                for (String p : hostPart.substring(semi + 1).split(";")) {
                    if (p.isEmpty()) {
                        continue;
                    }
                    int eq = p.indexOf('=');
                    String name = unescape(eq < 0 ? p : p.substring(0, eq)).toLowerCase(Locale.ROOT);
                    params.put(name, eq < 0 ? "" : unescape(p.substring(eq + 1)));
                }
            }
            String host;
            int port = -1;
            int close = hostPort.indexOf(']');
            int portColon = hostPort.indexOf(':', close < 0 ? 0 : close);
            if (portColon >= 0) {
                host = hostPort.substring(0, portColon);
                try {
                    port = Integer.parseInt(hostPort.substring(portColon + 1).trim());
                } catch (NumberFormatException e) {
                    return null;
                }
            } else {
                host = hostPort;
            }
            return new Parts(scheme, user, host.trim().toLowerCase(Locale.ROOT), port, params, headers);
        }
    }

    /** %XX escapes decoded (UTF-8); a malformed escape is kept as written. */
    private static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()
                    && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out[n++] = (byte) Integer.parseInt(s.substring(i + 1, i + 3), 16);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                for (byte x : b) {
                    if (n == out.length) {
                        out = java.util.Arrays.copyOf(out, out.length * 2 + 4);
                    }
                    out[n++] = x;
                }
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
