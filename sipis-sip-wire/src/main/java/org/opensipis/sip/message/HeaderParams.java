package org.opensipis.sip.message;

import java.util.Locale;

/** Reads {@code ;name=value} parameters and URIs out of single header values. Stateless. */
public final class HeaderParams {

    private HeaderParams() {
    }

    /**
     * The value of a header parameter (after the URI part for name-addr values), unquoted;
     * the empty string for a flag parameter; null when absent. Case-insensitive name.
     */
    public static String param(String headerValue, String name) {
        int start = 0;
        int gt = headerValue.indexOf('>');
        if (headerValue.indexOf('<') >= 0 && gt > 0) {
            start = gt + 1;
        }
        String lname = name.toLowerCase(Locale.ROOT);
        int i = headerValue.indexOf(';', start);
        while (i >= 0) {
            int next = nextSemicolon(headerValue, i + 1);
            String p = headerValue.substring(i + 1, next < 0 ? headerValue.length() : next).trim();
            int eq = p.indexOf('=');
            String pn = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            if (pn.equals(lname)) {
                return eq < 0 ? "" : unquote(p.substring(eq + 1).trim());
            }
            i = next;
        }
        return null;
    }

    private static int nextSemicolon(String s, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** The URI of a name-addr ({@code "x" <sip:u@h>;p}) or addr-spec ({@code sip:u@h;p}) value. */
    public static String uri(String headerValue) {
        int lt = headerValue.indexOf('<');
        if (lt >= 0) {
            int gt = headerValue.indexOf('>', lt);
            if (gt < 0) {
                throw new SipParseException("unclosed '<' in: " + headerValue);
            }
            return headerValue.substring(lt + 1, gt);
        }
        int semi = headerValue.indexOf(';');
        return (semi < 0 ? headerValue : headerValue.substring(0, semi)).trim();
    }

    /** The user part of a sip:/sips: URI, or the empty string. */
    public static String uriUser(String uri) {
        int colon = uri.indexOf(':');
        int at = uri.indexOf('@');
        if (colon < 0 || at < colon) {
            return "";
        }
        String user = uri.substring(colon + 1, at);
        int semi = user.indexOf(';');
        return semi < 0 ? user : user.substring(0, semi);
    }

    /** A URI parameter's value, percent-decoded ("" for a flag), or null (headers after '?' are not parameters). */
    public static String uriParam(String uri, String name) {
        int q = uri.indexOf('?');
        String u = q < 0 ? uri : uri.substring(0, q);
        int i = u.indexOf(';');
        while (i >= 0) {
            int next = u.indexOf(';', i + 1);
            String p = u.substring(i + 1, next < 0 ? u.length() : next).trim();
            int eq = p.indexOf('=');
            String n = eq < 0 ? p : p.substring(0, eq);
            if (n.trim().equalsIgnoreCase(name)) {
                return eq < 0 ? "" : percentDecode(p.substring(eq + 1).trim());
            }
            i = next;
        }
        return null;
    }

    /** {@code %XX} escapes decoded as UTF-8 bytes; a '%' not followed by two hex digits stays as it is. */
    public static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()
                    && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * A quoted string's content with its quoted-pairs resolved; control characters (which RFC
     * 3261 allows as quoted-pairs, e.g. a NUL in a display name) come out escaped as
     * {@code \xNN}, so that they never reach a database, a push payload or a log raw.
     */
    public static String unquote(String v) {
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            StringBuilder b = new StringBuilder(v.length());
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) {
                    c = v.charAt(++i);
                }
                b.append(c);
            }
            return Printable.escapeKeepingLines(b.toString());
        }
        return Printable.escapeKeepingLines(v);
    }
}
