package org.opensipis.sip.message;

import java.util.ArrayList;
import java.util.List;

/**
 * The header checks of RFC 3261 section 25 that a receiver must make before acting on a message
 * (the invalid messages of RFC 4475 section 3.1.2 and 3.3): mandatory headers present once,
 * CSeq, Max-Forwards and Content-Length in range, Via, From, To and Contact well-formed.
 * Stateless; everything else is left to the code that reads a header.
 */
final class SipSyntax {

    private static final String[] MANDATORY = {HeaderNames.VIA, HeaderNames.FROM, HeaderNames.TO, HeaderNames.CALL_ID,
        HeaderNames.CSEQ};
    private static final String[] SINGLE = {HeaderNames.FROM, HeaderNames.TO, HeaderNames.CALL_ID, HeaderNames.CSEQ,
        HeaderNames.MAX_FORWARDS, HeaderNames.CONTENT_LENGTH, HeaderNames.CONTENT_TYPE};
    private static final String TOKEN_MARKS = "-.!%*_+`'~";

    private SipSyntax() {
    }

    static void check(SipMessage m) {
        List<String> missing = new ArrayList<>(2);
        for (String h : MANDATORY) {
            if (!m.has(h)) {
                missing.add(HeaderNames.display(h));
            }
        }
        if (!missing.isEmpty()) {
            throw bad("missing " + String.join(", ", missing) + (missing.size() > 1 ? " headers" : " header"));
        }
        for (String h : SINGLE) {
            if (m.count(h) > 1) {
                throw bad("more than one " + HeaderNames.display(h) + " header");
            }
        }
        // RFC 3261 8.1.1.8: a dialog-creating request carries a Contact; RFC 2543 senders (no magic
        // cookie in the branch, RFC 4475 3.4.1) did not have to
        if ("INVITE".equals(m.method()) && !m.has(HeaderNames.CONTACT) && m.topBranch().startsWith("z9hG4bK")) {
            throw bad("missing Contact header");
        }
        cseq(m);
        digits(m, HeaderNames.MAX_FORWARDS, 255);
        digits(m, HeaderNames.CONTENT_LENGTH, 999_999_999);
        String callId = m.header(HeaderNames.CALL_ID).orElse("");
        if (callId.isEmpty() || callId.indexOf(' ') >= 0 || callId.indexOf('\t') >= 0) {
            throw bad("malformed Call-ID");
        }
        for (String via : m.headersRaw(HeaderNames.VIA)) {
            for (String e : elements(via)) {
                String p = viaProblem(e);
                if (p != null) {
                    throw bad(p);
                }
            }
        }
        nameAddr(m, HeaderNames.FROM, m.header(HeaderNames.FROM).orElse(""));
        nameAddr(m, HeaderNames.TO, m.header(HeaderNames.TO).orElse(""));
        // a response's Contacts are not checked: a REGISTER 200 lists every binding of the AoR, other
        // UAs' too (RFC 3261 10.3), and one malformed foreign Contact must not fail our registration
        for (String c : m.isResponse() ? java.util.List.<String>of() : m.headersRaw(HeaderNames.CONTACT)) {
            if (c.trim().equals("*")) {
                continue;
            }
            if (c.replace(",", "").trim().isEmpty()) {
                throw bad("empty Contact"); // RFC 3261 25.1: at least one contact-param
            }
            for (String e : elements(c)) {
                if (!e.isEmpty()) { // an empty list element is skipped (RFC 3261 7.3.1 tolerance)
                    nameAddr(m, HeaderNames.CONTACT, e);
                }
            }
        }
    }

    private static SipParseException bad(String why) {
        return new SipParseException(400, why, -1, null);
    }

    private static void cseq(SipMessage m) {
        String v = m.header(HeaderNames.CSEQ).orElse("");
        int i = 0;
        while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
            i++;
        }
        if (i == 0 || i > 10 || Long.parseLong(v.substring(0, i)) > Integer.MAX_VALUE) {
            throw bad(i > 10 || i > 0 ? "CSeq number out of range" : "malformed CSeq");
        }
        String method = v.substring(i).trim();
        if (method.isEmpty() || i == v.length() || (v.charAt(i) != ' ' && v.charAt(i) != '\t')
                || !isToken(method, 0, method.length())) {
            throw bad("malformed CSeq");
        }
        if (m.method() != null && !method.equals(m.method())) {
            throw bad("CSeq method does not match the Request-Line");
        }
    }

    private static void digits(SipMessage m, String name, long max) {
        if (!m.has(name)) {
            return;
        }
        String v = m.header(name).orElse("");
        if (v.isEmpty() || v.length() > 10) {
            throw bad("malformed " + HeaderNames.display(name));
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                throw bad((v.charAt(0) == '-' ? "negative " : "malformed ") + HeaderNames.display(name));
            }
        }
        if (Long.parseLong(v) > max) {
            throw bad(HeaderNames.display(name) + " out of range");
        }
    }

    /** List elements; an empty element (",,") is kept so that it can be refused. */
    private static List<String> elements(String value) {
        List<String> out = new ArrayList<>(1);
        int from = 0;
        while (true) {
            int end = SipMessage.elementEnd(value, from);
            out.add(value.substring(from, end).trim());
            if (end == value.length()) {
                return out;
            }
            from = end + 1;
        }
    }

    /** RFC 3261 20.42: SIP / 2.0 / transport LWS sent-by *( ; via-params ). */
    private static String viaProblem(String e) {
        if (e.isEmpty()) {
            return "empty element in Via";
        }
        int semi = indexOutsideQuotes(e, ';', 0);
        String head = semi < 0 ? e : e.substring(0, semi);
        String[] parts = head.split("/", 3);
        if (parts.length != 3 || !parts[0].trim().equalsIgnoreCase("SIP") || !parts[1].trim().equals("2.0")) {
            return "malformed Via protocol";
        }
        String rest = parts[2].trim();
        int sp = 0;
        while (sp < rest.length() && rest.charAt(sp) != ' ' && rest.charAt(sp) != '\t') {
            sp++;
        }
        String sentBy = rest.substring(sp).trim();
        if (sp == 0 || !isToken(rest, 0, sp) || sentBy.isEmpty() || hasSpace(sentBy)
                || UriSyntax.sipUriProblem("sip:" + sentBy) != null) {
            return "malformed Via sent-by";
        }
        return semi < 0 ? null : paramsProblem(e.substring(semi), "Via");
    }

    /** {@code ;name[=value]} parameters: names are tokens, values tokens, hosts or quoted strings. */
    private static String paramsProblem(String s, String header) {
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) != ';') {
                return "unexpected text after the " + header + " value";
            }
            int next = indexOutsideQuotes(s, ';', i + 1);
            int end = next < 0 ? s.length() : next;
            int eq = s.indexOf('=', i + 1);
            if (eq >= end) {
                eq = -1;
            }
            // checked in place: the name (a token) and the value (token, host or quoted string) without
            // a String for each parameter
            int nameFrom = skipSpace(s, i + 1, end);
            int nameTo = trimSpaceEnd(s, nameFrom, eq < 0 ? end : eq);
            if (!isToken(s, nameFrom, nameTo)) {
                return "empty or malformed parameter in " + header;
            }
            if (eq >= 0) {
                int vFrom = skipSpace(s, eq + 1, end);
                int vTo = trimSpaceEnd(s, vFrom, end);
                if (vFrom >= vTo || !(isToken(s, vFrom, vTo) || isQuoted(s.substring(vFrom, vTo))
                        || isGenValue(s.substring(vFrom, vTo)))) {
                    return "malformed parameter value in " + header;
                }
            }
            i = next < 0 ? s.length() : next;
        }
        return null;
    }

    /** RFC 3261 20.10 / 25.1: name-addr ({@code [display] <URI>}) or addr-spec, then parameters. */
    private static void nameAddr(SipMessage m, String header, String v) {
        String h = HeaderNames.display(header);
        String s = v.trim();
        if (s.isEmpty()) {
            throw bad("empty " + h);
        }
        int rest;
        if (s.charAt(0) == '"' || s.indexOf('<') >= 0 && indexOutsideQuotes(s, '<', 0) >= 0) {
            int lt;
            if (s.charAt(0) == '"') {
                int q = closingQuote(s, 0);
                if (q < 0) {
                    throw bad("unterminated quoted string in " + h);
                }
                lt = q + 1;
                while (lt < s.length() && (s.charAt(lt) == ' ' || s.charAt(lt) == '\t')) {
                    lt++;
                }
                if (lt >= s.length() || s.charAt(lt) != '<') {
                    throw bad("display name in " + h + " not followed by <URI>");
                }
            } else {
                lt = s.indexOf('<');
                String display = s.substring(0, lt);
                for (int i = 0; i < display.length(); i++) {
                    char c = display.charAt(i);
                    if (c != ' ' && c != '\t' && !isTokenChar(c)) {
                        throw bad("display name in " + h + " must be a token or a quoted string");
                    }
                }
            }
            int gt = s.indexOf('>', lt);
            if (gt < 0) {
                throw bad("unclosed < in " + h);
            }
            String uri = s.substring(lt + 1, gt);
            if (uri.isEmpty() || hasSpace(uri)) {
                throw bad("whitespace inside the <URI> of " + h);
            }
            checkUri(uri, h);
            rest = gt + 1;
        } else {
            int semi = s.indexOf(';');
            String uri = (semi < 0 ? s : s.substring(0, semi)).trim();
            if (hasSpace(uri)) {
                throw bad("whitespace inside the URI of " + h);
            }
            if (uri.indexOf('?') >= 0 || uri.indexOf(',') >= 0 || uri.indexOf('>') >= 0 || uri.indexOf('"') >= 0) {
                throw bad("a URI with '?' or ',' in " + h + " must be enclosed in <>");
            }
            checkUri(uri, h);
            rest = semi < 0 ? s.length() : semi;
        }
        String p = paramsProblem(s.substring(rest).trim(), h);
        if (p != null) {
            throw bad(p);
        }
    }

    static boolean isVersion(String v) {
        if (!v.regionMatches(true, 0, "SIP/", 0, 4)) {
            return false;
        }
        int dot = v.indexOf('.', 4);
        return dot > 4 && dot < v.length() - 1 && UriSyntax.allDigits(v, 4, dot) && UriSyntax.allDigits(v, dot + 1, v.length());
    }

    /** The URI of a name-addr or addr-spec in header {@code h}: a scheme, and a well-formed sip/sips URI. */
    private static void checkUri(String uri, String h) {
        if (!UriSyntax.hasScheme(uri)) {
            throw bad("URI without a scheme in " + h);
        }
        String hostProblem = UriSyntax.sipUriProblem(uri);
        if (hostProblem != null) {
            throw bad(hostProblem + " in " + h);
        }
    }

    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            TOKEN[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || TOKEN_MARKS.indexOf(c) >= 0;
        }
    }

    static boolean isTokenChar(char c) {
        return c < 128 && TOKEN[c];
    }

    static boolean isToken(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3261 25.1 gen-value: a token, a host (an IPv4 address or name is a token; an IPv6 reference), or quoted. */
    private static boolean isGenValue(String v) {
        if (v.startsWith("[") && v.endsWith("]")) {
            return UriSyntax.sipUriProblem("sip:" + v) == null;
        }
        return isToken(v, 0, v.length());
    }

    private static boolean isQuoted(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && closingQuote(v, 0) == v.length() - 1;
    }

    private static boolean hasSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return true;
            }
        }
        return false;
    }

    /** Index of the quote closing the quoted string opened at {@code open}, honouring quoted-pairs; -1 if none. */
    private static int closingQuote(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOutsideQuotes(String s, char wanted, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == wanted) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Index of the first control character (C0 other than HTAB, or DEL) that is not the second
     * half of a quoted-pair inside a quoted string (RFC 3261 25.1 allows those); -1 if none.
     */
    static int controlOutsideQuotedPair(String v) {
        boolean quoted = false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quoted && c == '\\' && i + 1 < v.length()) {
                char n = v.charAt(i + 1);
                if (n == '\r' || n == '\n') {
                    return i + 1;
                }
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (Printable.isControl(c)) {
                return i;
            }
        }
        return -1;
    }

    /** The first index in {@code [from, to)} that is not whitespace ({@code String.trim}'s: at most SP), or {@code to}. */
    private static int skipSpace(String s, int from, int to) {
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        return from;
    }

    /** {@code to} moved back over whitespace ({@code String.trim}'s), not before {@code from}. */
    private static int trimSpaceEnd(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        return to;
    }

    /** {@code text[from, to)} without surrounding whitespace. */
    static String trim(String text, int from, int to) {
        while (from < to && (text.charAt(from) == ' ' || text.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (text.charAt(to - 1) == ' ' || text.charAt(to - 1) == '\t')) {
            to--;
        }
        return text.substring(from, to);
    }
}
