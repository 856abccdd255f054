package org.opensipis.sip.digest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.opensipis.sip.message.SipParseException;

/**
 * The comma-separated {@code name=value} / {@code name="quoted value"} list of a Digest challenge
 * or credentials header (after the scheme), shared by the client side (challenges) and the app
 * leg (credentials). Names are lower-cased; the first occurrence of a name wins.
 */
public final class DigestParams {

    private DigestParams() {
    }

    /**
     * @throws SipParseException when a quoted value is not terminated
     */
    public static Map<String, String> parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
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
                if (i >= n) {
                    throw new SipParseException("unterminated quoted value of " + name + " in Digest parameters");
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
