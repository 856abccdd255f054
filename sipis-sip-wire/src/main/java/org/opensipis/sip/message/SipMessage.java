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
 * {@link SipParser} reads it: strict where RFC 3261 and RFC 4475 call a message invalid, tolerant
 * where a receiver should accept; any problem is a {@link SipParseException} naming it and its
 * byte offset.
 */
public final class SipMessage {

    private final String startLine;
    private final int status;
    private final String method;
    private final String[] names;
    private final String[] values;
    private final String body;

    SipMessage(String startLine, int status, String method, String[] names, String[] values, String body) {
        this.startLine = startLine;
        this.status = status;
        this.method = method;
        this.names = names;
        this.values = values;
        this.body = body;
    }

    /** Parses one datagram (no Content-Length: the body is the rest of the datagram). */
    public static SipMessage parse(byte[] data) {
        return SipParser.parse(data, 0, data.length, false);
    }

    /** Parses one datagram held in {@code data[off, off + len)}. */
    public static SipMessage parse(byte[] data, int off, int len) {
        return SipParser.parse(data, off, len, false);
    }

    /** Parses one message framed on a stream ({@link StreamFramer}): Content-Length is required. */
    public static SipMessage parseFramed(byte[] data) {
        return SipParser.parse(data, 0, data.length, true);
    }

    /** Parses a datagram given as text (tests, tools). */
    public static SipMessage parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The message as stream-ready bytes: the start line, every header (in order, usual spelling)
     * except Content-Length, then Content-Length for the body and the body.
     */
    public byte[] serialize() {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(256 + 32 * names.length);
        b.append(startLine).append("\r\n");
        for (int i = 0; i < names.length; i++) {
            if (!names[i].equals(HeaderNames.CONTENT_LENGTH)) {
                b.append(HeaderNames.display(names[i])).append(": ").append(values[i]).append("\r\n");
            }
        }
        b.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    /** Whether the header is present. */
    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /** How many header lines of that name there are. */
    public int count(String name) {
        int n = 0;
        for (String x : names) {
            if (x.equals(name)) {
                n++;
            }
        }
        return n;
    }

    /** The raw value of every header line of that name (lists not split). */
    public List<String> headersRaw(String name) {
        List<String> out = new ArrayList<>(1);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                out.add(values[i]);
            }
        }
        return out;
    }

    /** Header names in order (model names, {@link HeaderNames}) and their values, for serialising or relaying. */
    public int headerCount() {
        return names.length;
    }

    public String headerName(int i) {
        return names[i];
    }

    public String headerValue(int i) {
        return values[i];
    }

    /** The Content-Length header's value, or -1 when absent (checked to be digits by the parser). */
    public int contentLength() {
        int i = indexOf(HeaderNames.CONTENT_LENGTH);
        if (i < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(values[i]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
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
        String[] parts = (semi < 0 ? via : via.substring(0, semi)).split("/", 3);
        String rest = parts[parts.length - 1].trim();
        int sp = 0;
        while (sp < rest.length() && rest.charAt(sp) != ' ' && rest.charAt(sp) != '\t') {
            sp++;
        }
        StringBuilder b = new StringBuilder(rest.length()).append(rest, 0, sp).append(' ');
        for (int i = sp; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c != ' ' && c != '\t') {
                b.append(c);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
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
    static int elementEnd(String value, int from) {
        boolean quoted = false;
        int angle = 0;
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted && c == '\\') {
                i++; // quoted-pair
            } else if (c == '"') {
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
