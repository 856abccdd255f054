package org.opensipis.http.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Parses {@code name=token, name="quoted \" string"} auth-params; tolerant of garbage, bounded. */
final class AuthParams {

    private static final int MAX_PARAMS = 32;

    private AuthParams() {
    }

    static Map<String, String> parse(String s) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        int n = s.length();
        while (i < n && out.size() < MAX_PARAMS) {
            while (i < n && (s.charAt(i) == ',' || s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = s.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    v.append(s.charAt(i++));
                }
                i++;
            } else {
                while (i < n && s.charAt(i) != ',') {
                    v.append(s.charAt(i++));
                }
            }
            out.putIfAbsent(name, v.toString().trim());
        }
        return out;
    }
}
