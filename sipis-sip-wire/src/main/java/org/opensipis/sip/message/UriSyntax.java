package org.opensipis.sip.message;

/** The URI checks of RFC 3261 19.1 and 25.1 the parser makes (Request-URI, sip/sips host, port, user part). Stateless. */
final class UriSyntax {

    /** RFC 3261 25.1 user and password: unreserved marks, escapes, user-unreserved, and ':' before a password. */
    private static final String USER_MARKS = "-_.!~*'()%&=+$,;?/:";

    private UriSyntax() {
    }

    /** Why a Request-URI is refused (RFC 3261 19.1.1, 25.1), or null. */
    static String requestUriProblem(String uri) {
        if (uri.startsWith("<")) {
            return "Request-URI must not be enclosed in <>";
        }
        if (!hasScheme(uri)) {
            return "Request-URI without a scheme";
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"') {
                return "bad character in the Request-URI";
            }
        }
        // '?' may stand in the user part (RFC 3261 25.1 user-unreserved); after the host it starts headers
        if ((uri.regionMatches(true, 0, "sip:", 0, 4) || uri.regionMatches(true, 0, "sips:", 0, 5))
                && uri.indexOf('?', Math.max(uri.lastIndexOf('@'), 0)) >= 0) {
            return "headers are not allowed in a SIP Request-URI";
        }
        String hostProblem = sipUriProblem(uri);
        return hostProblem == null ? null : hostProblem + " in the Request-URI";
    }

    /**
     * Why a sip:/sips: URI's host and port are malformed (RFC 3261 25.1 hostport: a host name of
     * letters, digits, '-' and '.', an IPv4 address or a bracketed IPv6 reference, then an optional
     * numeric port), or null; other schemes are not looked into.
     */
    static String sipUriProblem(String uri) {
        int scheme;
        if (uri.regionMatches(true, 0, "sip:", 0, 4)) {
            scheme = 4;
        } else if (uri.regionMatches(true, 0, "sips:", 0, 5)) {
            scheme = 5;
        } else {
            return null;
        }
        // '@' stands nowhere in a SIP URI but after the userinfo (parameters and headers escape it)
        int at = uri.lastIndexOf('@');
        if (at > scheme) {
            for (int i = scheme; i < at; i++) {
                char c = uri.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || USER_MARKS.indexOf(c) >= 0)) {
                    return "illegal character in the user part";
                }
                if (c == '%' && (i + 2 >= at || Character.digit(uri.charAt(i + 1), 16) < 0
                        || Character.digit(uri.charAt(i + 2), 16) < 0)) {
                    return "bad escape in the user part";
                }
            }
        }
        int from = at < scheme ? scheme : at + 1;
        int end = from;
        while (end < uri.length() && uri.charAt(end) != ';' && uri.charAt(end) != '?') {
            end++;
        }
        String hostport = uri.substring(from, end);
        int portColon;
        if (hostport.startsWith("[")) {
            int close = hostport.indexOf(']');
            if (close < 2) {
                return "malformed IPv6 reference";
            }
            for (int i = 1; i < close; i++) {
                char c = hostport.charAt(i);
                if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                    return "malformed IPv6 reference";
                }
            }
            portColon = close + 1 < hostport.length() ? close + 1 : -1;
            if (portColon > 0 && hostport.charAt(portColon) != ':') {
                return "malformed host";
            }
        } else {
            portColon = hostport.indexOf(':');
            String host = portColon < 0 ? hostport : hostport.substring(0, portColon);
            if (host.isEmpty()) {
                return "missing host";
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                    return "illegal character in the host";
                }
            }
        }
        if (portColon >= 0) {
            String port = hostport.substring(portColon + 1);
            if (port.isEmpty() || port.length() > 5 || !allDigits(port, 0, port.length())) {
                return "malformed port";
            }
        }
        return null;
    }

    static boolean hasScheme(String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 0 || !Character.isLetter(uri.charAt(0))) {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            char c = uri.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '+' && c != '-' && c != '.') {
                return false;
            }
        }
        return true;
    }


    /** Whether {@code s[from, to)} is all ASCII digits. */
    static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
