package org.opensipis.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One parsed SIP message (request or response): start line, headers in order (names folded to
 * their long lower-case form), and the body. Immutable once parsed; safe to hand between threads.
 * The parser is small and strict: it accepts what RFC 3261 section 7 allows on the wire (CRLF or LF
 * line ends, folded header lines, compact header names) and rejects anything else with a
 * {@link SipParseException} naming the problem.
 */
public final class SipMessage {

    private static final int MAX_HEADERS = 128;

    private final String startLine;
    private final int status;
    private final String method;
    private final String[] names;
    private final String[] values;
    private final String body;

    private SipMessage(String startLine, int status, String method, String[] names, String[] values, String body) {
        this.startLine = startLine;
        this.status = status;
        this.method = method;
        this.names = names;
        this.values = values;
        this.body = body;
    }

    /** Parses one complete message (a datagram, or one framed stream message). */
    public static SipMessage parse(byte[] data) {
        return parse(new String(data, StandardCharsets.UTF_8));
    }

    public static SipMessage parse(String text) {
        int headerEnd = text.indexOf("\r\n\r\n");
        int sepLen = 4;
        if (headerEnd < 0) {
            headerEnd = text.indexOf("\n\n");
            sepLen = 2;
        }
        if (headerEnd < 0) {
            throw new SipParseException("no empty line after the headers");
        }
        String body = text.substring(headerEnd + sepLen);
        // one pass over the head, line by line ("\r?\n"), without a regex or a String per line
        int lineEnd = lineEnd(text, 0, headerEnd);
        String start = text.substring(0, lineEnd);
        int status = 0;
        String method = null;
        if (start.startsWith("SIP/2.0 ")) {
            if (start.length() < 11 || (start.length() > 11 && start.charAt(11) != ' ')) {
                throw new SipParseException("bad status line: " + clip(start));
            }
            status = statusCode(start);
            if (status < 100 || status > 699) {
                throw new SipParseException("status code out of range in: " + clip(start));
            }
        } else {
            String[] parts = start.split(" ");
            if (parts.length != 3 || !parts[2].equals("SIP/2.0") || parts[0].isEmpty()) {
                throw new SipParseException("bad request line: " + clip(start));
            }
            method = parts[0];
        }
        String[] n = new String[16];
        String[] v = new String[16];
        int count = 0;
        int pos = nextLine(text, lineEnd, headerEnd);
        while (pos >= 0) {
            int end = lineEnd(text, pos, headerEnd);
            int next = nextLine(text, end, headerEnd);
            if (end == pos) {
                pos = next;
                continue;
            }
            char first = text.charAt(pos);
            if (first == ' ' || first == '\t') {
                if (count == 0) {
                    throw new SipParseException("continuation line before any header");
                }
                v[count - 1] = v[count - 1] + " " + text.substring(pos, end).trim();
                pos = next;
                continue;
            }
            int colon = text.indexOf(':', pos);
            if (colon <= pos || colon >= end) {
                throw new SipParseException("header line without a name and colon: " + clip(text.substring(pos, end)));
            }
            String name = headerName(text, pos, colon);
            if (name.isEmpty() || name.indexOf(' ') >= 0) {
                throw new SipParseException("bad header name: " + clip(text.substring(pos, end)));
            }
            if (count == n.length) {
                n = java.util.Arrays.copyOf(n, count * 2);
                v = java.util.Arrays.copyOf(v, count * 2);
            }
            n[count] = name;
            v[count] = trimmed(text, colon + 1, end);
            count++;
            if (count > MAX_HEADERS) {
                throw new SipParseException("more than " + MAX_HEADERS + " headers");
            }
            pos = next;
        }
        SipMessage m = new SipMessage(start, status, method, java.util.Arrays.copyOf(n, count),
                java.util.Arrays.copyOf(v, count), body);
        if (m.indexOf("call-id") < 0 || m.indexOf("cseq") < 0 || m.indexOf("via") < 0) {
            throw new SipParseException("missing Via, Call-ID or CSeq");
        }
        return m;
    }

    /** End of the line starting at {@code from} (before "\r\n" or "\n"), at most {@code limit}. */
    private static int lineEnd(String text, int from, int limit) {
        int nl = text.indexOf('\n', from);
        if (nl < 0 || nl >= limit) {
            return limit;
        }
        return nl > from && text.charAt(nl - 1) == '\r' ? nl - 1 : nl;
    }

    /** Start of the line after the one ending at {@code end}, or -1 at the end of the head. */
    private static int nextLine(String text, int end, int limit) {
        if (end >= limit) {
            return -1;
        }
        return end + (text.charAt(end) == '\r' ? 2 : 1);
    }

    private static int statusCode(String start) {
        int code = 0;
        for (int i = 8; i < 11; i++) {
            char c = start.charAt(i);
            if (c < '0' || c > '9') {
                throw new SipParseException("bad status code in: " + clip(start));
            }
            code = code * 10 + (c - '0');
        }
        return code;
    }

    /** {@code text[from, to)} without surrounding whitespace, as {@link String#trim} does. */
    private static String trimmed(String text, int from, int to) {
        while (from < to && text.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && text.charAt(to - 1) <= ' ') {
            to--;
        }
        return text.substring(from, to);
    }

    /** Header names we read or see often, lower-case: matched in place, no String per header. */
    private static final String[] KNOWN = {"via", "from", "to", "call-id", "cseq", "contact", "content-length",
        "content-type", "max-forwards", "expires", "min-expires", "www-authenticate", "proxy-authenticate",
        "authorization", "proxy-authorization", "server", "user-agent", "allow", "supported", "retry-after",
        "record-route", "route", "require", "date", "path", "event", "accept"};

    private static String headerName(String text, int from, int to) {
        while (from < to && text.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && text.charAt(to - 1) <= ' ') {
            to--;
        }
        int len = to - from;
        for (String k : KNOWN) {
            if (k.length() == len && text.regionMatches(true, from, k, 0, len)) {
                return k;
            }
        }
        return longName(text.substring(from, to).toLowerCase(Locale.ROOT));
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String longName(String n) {
        if (n.length() != 1) {
            return n;
        }
        switch (n.charAt(0)) {
            case 'v': return "via";
            case 'i': return "call-id";
            case 'm': return "contact";
            case 'l': return "content-length";
            case 'f': return "from";
            case 't': return "to";
            case 'c': return "content-type";
            case 'k': return "supported";
            default: return n;
        }
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    public boolean isResponse() {
        return method == null;
    }

    /** Status code of a response; 0 for a request. */
    public int status() {
        return status;
    }

    /** Method of a request; null for a response. */
    public String method() {
        return method;
    }

    public String startLine() {
        return startLine;
    }

    /** The Request-URI of a request. */
    public String requestUri() {
        return startLine.substring(startLine.indexOf(' ') + 1, startLine.lastIndexOf(' '));
    }

    /** The reason phrase of a response. */
    public String reason() {
        return startLine.length() > 12 ? startLine.substring(12) : "";
    }

    public String body() {
        return body;
    }

    /** The first value of a header (lower-case long name). */
    public Optional<String> header(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return Optional.of(values[i]);
            }
        }
        return Optional.empty();
    }

    /** Every value of a header, comma-separated lists split (outside quotes and angle brackets). */
    public List<String> headers(String name) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                if (name.endsWith("authenticate") || name.endsWith("authorization")) {
                    out.add(values[i]);
                } else {
                    splitList(values[i], out);
                }
            }
        }
        return out;
    }

    /**
     * Like {@link #headers(String)}, but only for header lines whose raw value contains
     * {@code mustContain}: the others are not split (a REGISTER 200 may list hundreds of bindings).
     */
    public List<String> headers(String name, String mustContain) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name) && values[i].contains(mustContain)) {
                splitList(values[i], out);
            }
        }
        return out;
    }

    /** Whether a list header has at least one non-empty element (as {@code !headers(name).isEmpty()}). */
    public boolean hasListHeader(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                String v = values[i];
                for (int j = 0; j < v.length(); j++) {
                    char c = v.charAt(j);
                    if (c > ' ' && c != ',') {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A header holding a non-negative decimal number, e.g. Expires or Min-Expires. */
    public OptionalInt intHeader(String name) {
        Optional<String> v = header(name);
        if (v.isEmpty()) {
            return OptionalInt.empty();
        }
        String s = v.get();
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 9) {
            throw new SipParseException("header " + name + " is not a number: " + clip(s));
        }
        return OptionalInt.of(Integer.parseInt(s.substring(0, end)));
    }

    /** The CSeq number. */
    public long cseq() {
        String s = header("cseq").orElseThrow();
        int sp = s.indexOf(' ');
        try {
            return Long.parseLong(sp < 0 ? s : s.substring(0, sp));
        } catch (NumberFormatException e) {
            throw new SipParseException("bad CSeq: " + clip(s));
        }
    }

    public String callId() {
        return header("call-id").orElseThrow();
    }

    /** The branch parameter of the top Via, or empty. */
    public String topBranch() {
        String b = HeaderParams.param(topVia(), "branch");
        return b == null ? "" : b;
    }

    /** The top Via value (first element of the first Via header). */
    public String topVia() {
        return firstListElement(values[indexOf("via")]);
    }

    /**
     * The sent-by of the top Via with its protocol, lower-case ({@code udp 192.0.2.1:5060}), as
     * RFC 3261 17.2.3 compares it; the port is left as written (absent stays absent).
     */
    public String topSentBy() {
        String via = topVia();
        int semi = via.indexOf(';');
        String head = (semi < 0 ? via : via.substring(0, semi)).trim();
        int slash = head.lastIndexOf('/');
        int sp = head.indexOf(' ', Math.max(slash, 0));
        if (slash < 0 || sp < 0) {
            return head.toLowerCase(Locale.ROOT);
        }
        String transport = head.substring(slash + 1, sp).trim();
        String sentBy = head.substring(sp + 1).replace(" ", "");
        return (transport + " " + sentBy).toLowerCase(Locale.ROOT);
    }

    /** The method of the CSeq header ({@code REGISTER} in {@code 12 REGISTER}), or empty. */
    public String cseqMethod() {
        String s = header("cseq").orElse("").trim();
        int sp = s.lastIndexOf(' ');
        return sp < 0 ? "" : s.substring(sp + 1).trim();
    }

    /** The first element of a comma-separated header value, as {@link #splitList} would give it. */
    static String firstListElement(String value) {
        int from = 0;
        while (true) {
            int end = elementEnd(value, from);
            String part = value.substring(from, end).trim();
            if (!part.isEmpty() || end == value.length()) {
                return part;
            }
            from = end + 1;
        }
    }

    static void splitList(String value, List<String> out) {
        int from = 0;
        while (true) {
            int end = elementEnd(value, from);
            String part = value.substring(from, end).trim();
            if (!part.isEmpty()) {
                out.add(part);
            }
            if (end == value.length()) {
                return;
            }
            from = end + 1;
        }
    }

    /** Where the list element starting at {@code from} ends: its comma (outside quotes and angle brackets), or the end. */
    private static int elementEnd(String value, int from) {
        boolean quoted = false;
        int angle = 0;
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angle++;
            } else if (!quoted && c == '>') {
                angle--;
            } else if (!quoted && angle == 0 && c == ',') {
                return i;
            }
        }
        return value.length();
    }

    @Override
    public String toString() {
        return startLine + " (Call-ID " + header("call-id").orElse("?") + ", CSeq " + header("cseq").orElse("?") + ")";
    }
}
