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
    private static final java.util.regex.Pattern LINE_END = java.util.regex.Pattern.compile("\r?\n");

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
        String head = text.substring(0, headerEnd);
        String body = text.substring(headerEnd + sepLen);
        String[] lines = LINE_END.split(head, -1);
        String start = lines[0];
        int status = 0;
        String method = null;
        if (start.startsWith("SIP/2.0 ")) {
            if (start.length() < 11 || (start.length() > 11 && start.charAt(11) != ' ')) {
                throw new SipParseException("bad status line: " + clip(start));
            }
            try {
                status = Integer.parseInt(start.substring(8, 11));
            } catch (NumberFormatException e) {
                throw new SipParseException("bad status code in: " + clip(start));
            }
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
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (v.isEmpty()) {
                    throw new SipParseException("continuation line before any header");
                }
                v.set(v.size() - 1, v.get(v.size() - 1) + " " + line.trim());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new SipParseException("header line without a name and colon: " + clip(line));
            }
            String name = longName(line.substring(0, colon).trim().toLowerCase(Locale.ROOT));
            if (name.isEmpty() || name.indexOf(' ') >= 0) {
                throw new SipParseException("bad header name: " + clip(line));
            }
            n.add(name);
            v.add(line.substring(colon + 1).trim());
            if (n.size() > MAX_HEADERS) {
                throw new SipParseException("more than " + MAX_HEADERS + " headers");
            }
        }
        SipMessage m = new SipMessage(start, status, method, n.toArray(new String[0]), v.toArray(new String[0]), body);
        if (m.header("call-id").isEmpty() || m.header("cseq").isEmpty() || m.header("via").isEmpty()) {
            throw new SipParseException("missing Via, Call-ID or CSeq");
        }
        return m;
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
        String via = headers("via").get(0);
        String b = HeaderParams.param(via, "branch");
        return b == null ? "" : b;
    }

    static void splitList(String value, List<String> out) {
        boolean quoted = false;
        int angle = 0;
        int from = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angle++;
            } else if (!quoted && c == '>') {
                angle--;
            } else if (!quoted && angle == 0 && c == ',') {
                String part = value.substring(from, i).trim();
                if (!part.isEmpty()) {
                    out.add(part);
                }
                from = i + 1;
            }
        }
        String part = value.substring(from).trim();
        if (!part.isEmpty()) {
            out.add(part);
        }
    }

    @Override
    public String toString() {
        return startLine + " (Call-ID " + header("call-id").orElse("?") + ", CSeq " + header("cseq").orElse("?") + ")";
    }
}
