package org.opensipis.sip.app;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The fields of one {@code Authorization: Digest ...} header (RFC 3261 section 22.4, RFC 7616).
 * Immutable. {@link #parse} returns null for another scheme or a header without the fields digest
 * needs.
 */
record DigestCredentials(String username, String realm, String nonce, String uri, String response,
                         String algorithm, String qop, String nc, String cnonce) {

    static DigestCredentials parse(String header) {
        String v = header.trim();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Digest ", 0, 7)) {
            return null;
        }
        Map<String, String> p = params(v.substring(7));
        String username = p.get("username");
        String realm = p.get("realm");
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        if (username == null || realm == null || nonce == null || uri == null || response == null) {
            return null;
        }
        return new DigestCredentials(username, realm, nonce, uri, response, p.getOrDefault("algorithm", "MD5"),
                p.get("qop"), p.get("nc"), p.get("cnonce"));
    }

    /** Comma-separated {@code name=value} or {@code name="quoted value"} pairs; names lower-cased. */
    static Map<String, String> params(String s) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == ',' || s.charAt(i) == '\t')) {
                i++;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = s.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            String value;
            if (i < n && s.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    b.append(s.charAt(i++));
                }
                i++;
                value = b.toString();
            } else {
                int end = s.indexOf(',', i);
                value = (end < 0 ? s.substring(i) : s.substring(i, end)).trim();
                i = end < 0 ? n : end;
            }
            out.putIfAbsent(name, value);
        }
        return out;
    }
}
