package org.opensipis.lb2;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The start line and headers of one SIP message, parsed just enough to route it: method,
 * Request-URI, and header values by name (compact forms understood). Immutable.
 */
final class SipHead {

    private final String startLine;
    private final List<String[]> headers;

    private SipHead(String startLine, List<String[]> headers) {
        this.startLine = startLine;
        this.headers = headers;
    }

    /**
     * Parses a header section (without the terminating blank line).
     *
     * @throws IllegalArgumentException when it is not a SIP message
     */
    static SipHead parse(String head) {
        String[] lines = head.split("\r\n");
        String start = lines[0];
        if (!(start.startsWith("SIP/2.0 ") || start.endsWith(" SIP/2.0"))) {
            throw new IllegalArgumentException("not a SIP start line: " + abbreviate(start));
        }
        List<String[]> hs = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            if ((l.startsWith(" ") || l.startsWith("\t")) && !hs.isEmpty()) {
                String[] last = hs.get(hs.size() - 1);
                last[1] = last[1] + " " + l.trim();
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("malformed header line: " + abbreviate(l));
            }
            hs.add(new String[] {canonical(l.substring(0, colon).trim()), l.substring(colon + 1).trim()});
        }
        return new SipHead(start, hs);
    }

    /** Content-Length from a raw header section; 0 when absent, -1 when malformed. */
    static int contentLength(String head) {
        int from = 0;
        while (true) {
            int nl = head.indexOf("\r\n", from);
            if (nl < 0) {
                return 0;
            }
            int lineEnd = head.indexOf("\r\n", nl + 2);
            String line = head.substring(nl + 2, lineEnd < 0 ? head.length() : lineEnd);
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (name.equals("content-length") || name.equals("l")) {
                    try {
                        int v = Integer.parseInt(line.substring(colon + 1).trim());
                        return v < 0 ? -1 : v;
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
            if (lineEnd < 0) {
                return 0;
            }
            from = nl + 2;
        }
    }

    private static String canonical(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "t":
                return "to";
            case "f":
                return "from";
            case "i":
                return "call-id";
            case "v":
                return "via";
            case "m":
                return "contact";
            case "l":
                return "content-length";
            default:
                return name.toLowerCase(Locale.ROOT);
        }
    }

    boolean isRequest() {
        return !startLine.startsWith("SIP/2.0 ");
    }

    String method() {
        return isRequest() ? startLine.substring(0, startLine.indexOf(' ')) : "";
    }

    String requestUri() {
        String[] parts = startLine.split(" ");
        return isRequest() && parts.length == 3 ? parts[1] : "";
    }

    Optional<String> header(String name) {
        String key = canonical(name);
        for (String[] h : headers) {
            if (h[0].equals(key)) {
                return Optional.of(h[1]);
            }
        }
        return Optional.empty();
    }

    List<String> headers(String name) {
        String key = canonical(name);
        List<String> out = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equals(key)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    /** The selector this request is for: X-Sipis-Selector, else To user (REGISTER) or Request-URI user. */
    Optional<String> selector() {
        Optional<String> explicit = header("X-Sipis-Selector").map(String::trim).filter(s -> !s.isEmpty());
        if (explicit.isPresent()) {
            return explicit;
        }
        String uri = method().equals("REGISTER") ? header("to").orElse("") : requestUri();
        return userOf(uri).filter(s -> !s.isEmpty());
    }

    /** The app id: X-Sipis-App-Id, else the pn-param of the first Contact, else empty. */
    String appId() {
        Optional<String> explicit = header("X-Sipis-App-Id").map(String::trim).filter(s -> !s.isEmpty());
        if (explicit.isPresent()) {
            return explicit.get();
        }
        String contact = header("contact").orElse("");
        int i = contact.toLowerCase(Locale.ROOT).indexOf("pn-param=");
        if (i < 0) {
            return "";
        }
        int start = i + "pn-param=".length();
        int end = start;
        while (end < contact.length() && ";>, ".indexOf(contact.charAt(end)) < 0) {
            end++;
        }
        return unescape(contact.substring(start, end));
    }

    /** The user part of a SIP URI (in name-addr or bare form), %-unescaped; the selector's ':' may be raw. */
    static Optional<String> userOf(String value) {
        int lt = value.indexOf('<');
        String uri = lt >= 0 ? value.substring(lt + 1, Math.max(lt + 1, value.indexOf('>', lt) < 0 ? value.length() : value.indexOf('>', lt))) : value;
        String lower = uri.toLowerCase(Locale.ROOT);
        int scheme = lower.startsWith("sips:") ? 5 : lower.startsWith("sip:") ? 4 : -1;
        if (scheme < 0) {
            return Optional.empty();
        }
        int at = uri.indexOf('@', scheme);
        if (at < 0) {
            return Optional.empty();
        }
        return Optional.of(unescape(uri.substring(scheme, at)));
    }

    private static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
