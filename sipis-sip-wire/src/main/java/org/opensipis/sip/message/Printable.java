package org.opensipis.sip.message;

/**
 * Makes text from the wire safe for logs, reason phrases, the database and push payloads:
 * control characters (NUL included) never leave here raw. Stateless.
 */
public final class Printable {

    private Printable() {
    }

    /** Whether {@code c} is a control character (C0, DEL) other than HTAB. */
    public static boolean isControl(char c) {
        return (c < 0x20 && c != '\t') || c == 0x7f;
    }

    /** {@code s} with every control character (CR and LF too) written as {@code \xNN}; at most 200 chars. */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        int n = Math.min(s.length(), 200);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) {
                    b = new StringBuilder(n + 8).append(s, 0, i);
                }
                b.append(String.format("\\x%02X", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        String out = b == null ? s.substring(0, n) : b.toString();
        return s.length() > 200 ? out + "…" : out;
    }

    /**
     * {@code s} with control characters other than CR, LF and HTAB written as {@code \xNN}:
     * for values that may legitimately span lines (a text message body), unlimited length.
     */
    public static String escapeKeepingLines(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c) && c != '\r' && c != '\n') {
                StringBuilder b = new StringBuilder(s.length() + 8).append(s, 0, i);
                for (int j = i; j < s.length(); j++) {
                    char d = s.charAt(j);
                    if (isControl(d) && d != '\r' && d != '\n') {
                        b.append(String.format("\\x%02X", (int) d));
                    } else {
                        b.append(d);
                    }
                }
                return b.toString();
            }
        }
        return s;
    }

    /** A reason phrase from a problem description: printable ASCII, first letter upper-case, at most 100 chars. */
    static String phrase(String detail) {
        StringBuilder b = new StringBuilder(Math.min(detail.length(), 100));
        for (int i = 0; i < detail.length() && b.length() < 100; i++) {
            char c = detail.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (b.length() > 0) {
            b.setCharAt(0, Character.toUpperCase(b.charAt(0)));
        }
        return b.toString();
    }
}
