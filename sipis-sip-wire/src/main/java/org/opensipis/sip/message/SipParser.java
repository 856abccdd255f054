package org.opensipis.sip.message;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses one SIP message (RFC 3261 section 7 and 25): strict where RFC 3261 and the RFC 4475
 * torture tests call a message invalid, tolerant where a receiver should accept (LF line ends,
 * folded lines, whitespace around the colon, compact names, unknown headers). Every problem is a
 * {@link SipParseException} with the byte offset and, for a request, the headers that could be
 * read (so it can be answered 400/505). Stateless.
 */
final class SipParser {

    static final int MAX_HEADERS = 128;

    private SipParser() {
    }

    /**
     * @param stream whether the bytes came framed from a stream (Content-Length was already
     *               required by the framer) rather than as a datagram
     */
    static SipMessage parse(byte[] data, int off, int len, boolean stream) {
        int end = off + len;
        while (off < end && (data[off] == '\r' || data[off] == '\n')) {
            off++; // CRLFs before the start line are ignored (RFC 3261 7.5)
        }
        int headEnd = -1;
        int sepLen = 0;
        for (int i = off; i < end - 1; i++) {
            if (data[i] == '\n') {
                if (data[i + 1] == '\n') {
                    headEnd = i;
                    sepLen = 2;
                    break;
                }
                if (data[i + 1] == '\r' && i + 2 < end && data[i + 2] == '\n') {
                    headEnd = i;
                    sepLen = 3;
                    break;
                }
            }
        }
        if (headEnd < 0) {
            if (stream || end - off < 2 || data[end - 1] != '\n') {
                throw new SipParseException(400, "no empty line after the headers", len, null);
            }
            // a datagram that ends right after a header line: tolerated as one without a body
            headEnd = end - 1;
            sepLen = 1;
        }
        int h = headEnd > off && data[headEnd - 1] == '\r' ? headEnd - 1 : headEnd;
        int bodyStart = headEnd + sepLen;
        int kinds = scan(data, off, h);
        String head = decodeStrict(data, off, h - off, (kinds & NON_ASCII) == 0);
        return parseHead(head, data, bodyStart, end, stream, (kinds & CONTROLS) != 0);
    }

    private static final int NON_ASCII = 1;
    private static final int CONTROLS = 2;

    /**
     * One pass over the header section: whether it holds bytes above 0x7f (UTF-8 to decode) and
     * whether it may hold a control character other than HTAB and line ends (a CR not before LF
     * counts; when none, the per-header check is skipped: the common case).
     */
    private static int scan(byte[] data, int from, int to) {
        int kinds = 0;
        for (int i = from; i < to; i++) {
            byte b = data[i];
            if (b >= 0x20 && b != 0x7f) {
                continue; // the common case: printable ASCII
            }
            if (b < 0) {
                kinds |= NON_ASCII;
            } else if (b == 0x7f || b != '\t' && b != '\n' && (b != '\r' || i + 1 >= to || data[i + 1] != '\n')) {
                kinds |= CONTROLS;
            }
        }
        return kinds;
    }

    private static String decodeStrict(byte[] data, int off, int len, boolean ascii) {
        if (ascii) {
            return new String(data, off, len, StandardCharsets.ISO_8859_1); // the common case: no decoder
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(data, off, len);
        CharBuffer out = CharBuffer.allocate(len);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            throw new SipParseException(400, "header section is not UTF-8", in.position() - off, null);
        }
        r = d.flush(out);
        out.flip();
        return out.toString();
    }

    private static SipMessage parseHead(String text, byte[] data, int bodyStart, int end, boolean stream,
                                        boolean controls) {
        SipParseException problem = null;
        int lineEnd = lineEnd(text, 0);
        String start = text.substring(0, lineEnd);
        int status = 0;
        String method = null;
        try {
            if (start.regionMatches(true, 0, "SIP/", 0, 4)) {
                status = statusLine(start);
            } else {
                method = requestLine(start);
            }
        } catch (SipParseException e) {
            if (start.regionMatches(true, 0, "SIP/", 0, 4)) {
                throw e; // a broken response: not answerable
            }
            if (start.indexOf(' ') <= 0 || start.toUpperCase(java.util.Locale.ROOT).indexOf(" SIP/") < 0) {
                throw new SipParseException(e.status(), e.getMessage(), -1, null, false); // not SIP at all
            }
            problem = e;
            method = start.substring(0, start.indexOf(' '));
        }
        String[] n = new String[16];
        String[] v = new String[16];
        int count = 0;
        int pos = nextLine(text, lineEnd);
        while (pos >= 0) {
            int end0 = lineEnd(text, pos);
            int next = nextLine(text, end0);
            // folded continuation lines belong to this header
            StringBuilder folded = null;
            while (next >= 0 && next < text.length() && (text.charAt(next) == ' ' || text.charAt(next) == '\t')) {
                int e2 = lineEnd(text, next);
                if (folded == null) {
                    folded = new StringBuilder(text.substring(pos, end0));
                }
                int c = next;
                while (c < e2 && (text.charAt(c) == ' ' || text.charAt(c) == '\t')) {
                    c++;
                }
                folded.append(' ').append(text, c, e2); // folding LWS counts as one SP (RFC 3261 7.3.1)
                next = nextLine(text, e2);
            }
            String line = folded == null ? null : folded.toString();
            int lineStart = pos;
            pos = next;
            if (count == 0 && (text.charAt(lineStart) == ' ' || text.charAt(lineStart) == '\t')) {
                problem = first(problem, new SipParseException(400, "continuation line before any header",
                        byteOffset(text, lineStart), null));
                continue;
            }
            // an unfolded line is read in place in the header section: no String for the whole line
            String l = line != null ? line : text;
            int from = line != null ? 0 : lineStart;
            int to = line != null ? line.length() : end0;
            int colon = l.indexOf(':', from);
            if (colon >= to) {
                colon = -1;
            }
            int nameEnd = colon;
            while (nameEnd > from && (l.charAt(nameEnd - 1) == ' ' || l.charAt(nameEnd - 1) == '\t')) {
                nameEnd--;
            }
            if (colon < 0 || nameEnd <= from || !SipSyntax.isToken(l, from, nameEnd)) {
                problem = first(problem, new SipParseException(400, colon < 0 ? "header line without a colon"
                        : "bad header name", byteOffset(text, lineStart), null));
                continue;
            }
            String value = SipSyntax.trim(l, colon + 1, to);
            int bad = controls ? SipSyntax.controlOutsideQuotedPair(value) : -1;
            String name = HeaderNames.canonical(l, from, nameEnd);
            if (bad >= 0) {
                problem = first(problem, new SipParseException(400, "control character in " + HeaderNames.display(name),
                        byteOffset(text, lineStart + colon + 1), null));
                continue;
            }
            if (count == n.length) {
                n = Arrays.copyOf(n, count * 2);
                v = Arrays.copyOf(v, count * 2);
            }
            n[count] = name;
            v[count] = value;
            count++;
            if (count > MAX_HEADERS) {
                throw new SipParseException(400, "more than " + MAX_HEADERS + " headers", byteOffset(text, lineStart), null);
            }
        }
        String[] names = Arrays.copyOf(n, count);
        String[] values = Arrays.copyOf(v, count);
        SipMessage headOnly = new SipMessage(start, status, method, names, values, "");
        boolean answerable = method != null && headOnly.has(HeaderNames.VIA);
        if (problem != null) {
            throw problem.withPartial(answerable ? headOnly : null);
        }
        try {
            SipSyntax.check(headOnly);
        } catch (SipParseException e) {
            throw answerable ? e.withPartial(headOnly) : e;
        }
        String body;
        try {
            body = body(headOnly, data, bodyStart, end, stream, text);
        } catch (SipParseException e) {
            throw answerable ? e.withPartial(headOnly) : e;
        }
        return body.isEmpty() ? headOnly : new SipMessage(start, status, method, names, values, body);
    }

    private static String body(SipMessage m, byte[] data, int bodyStart, int end, boolean stream, String text) {
        int available = end - bodyStart;
        int length = m.contentLength();
        if (length < 0) {
            if (stream) {
                throw new SipParseException(400, "missing Content-Length on a stream transport", byteOffset(text, 0), null);
            }
            length = available;
        } else if (length > available) {
            throw new SipParseException(400, "Content-Length " + length + " is larger than the body (" + available
                    + " bytes)", bodyStart, null);
        }
        // extra bytes after Content-Length are ignored (RFC 3261 18.3)
        return length == 0 ? "" : new String(data, bodyStart, length, StandardCharsets.UTF_8);
    }

    private static SipParseException first(SipParseException have, SipParseException e) {
        return have != null ? have : e;
    }

    static int byteOffset(String text, int charIndex) {
        int n = 0;
        for (int i = 0; i < charIndex && i < text.length(); i++) {
            char c = text.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    /** The status code of a status line (RFC 3261 7.2: SIP-Version SP 3DIGIT SP Reason-Phrase). */
    private static int statusLine(String start) {
        if (!start.startsWith("SIP/2.0 ")) {
            throw new SipParseException(400, "unsupported SIP version in the status line", 0, null);
        }
        if (start.length() < 11 || (start.length() > 11 && start.charAt(11) != ' ')) {
            throw new SipParseException(400, "bad status code", 8, null);
        }
        int code = 0;
        for (int i = 8; i < 11; i++) {
            char c = start.charAt(i);
            if (c < '0' || c > '9') {
                throw new SipParseException(400, "bad status code", 8, null);
            }
            code = code * 10 + (c - '0');
        }
        if (code < 100 || code > 699) {
            throw new SipParseException(400, "status code out of range", 8, null);
        }
        if (SipSyntax.controlOutsideQuotedPair(start) >= 0) {
            throw new SipParseException(400, "control character in the reason phrase", 12, null);
        }
        return code;
    }

    /** The method of a Request-Line (RFC 3261 7.1: Method SP Request-URI SP SIP-Version, single spaces). */
    private static String requestLine(String start) {
        int sp1 = start.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : start.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0) {
            throw new SipParseException(400, "malformed Request-Line", 0, null);
        }
        String method = start.substring(0, sp1);
        if (!SipSyntax.isToken(method, 0, method.length())) {
            throw new SipParseException(400, "bad method in the Request-Line", 0, null);
        }
        if (sp2 == sp1 + 1) {
            throw new SipParseException(400, "more than one SP between Request-Line elements", sp1, null);
        }
        String version = start.substring(sp2 + 1);
        if (version.indexOf(' ') >= 0 || version.indexOf('\t') >= 0) {
            String t = version.trim();
            throw new SipParseException(400, t.indexOf(' ') < 0 && t.regionMatches(true, 0, "SIP/", 0, 4)
                    ? "whitespace at the end of the Request-Line" : "whitespace inside the Request-URI", sp2, null);
        }
        if (version.isEmpty() && start.endsWith(" ")) {
            throw new SipParseException(400, "whitespace at the end of the Request-Line", sp2, null);
        }
        if (!SipSyntax.isVersion(version)) {
            throw new SipParseException(400, "bad SIP version in the Request-Line", sp2 + 1, null);
        }
        String uri = start.substring(sp1 + 1, sp2);
        String uriProblem = UriSyntax.requestUriProblem(uri);
        if (uriProblem != null) {
            throw new SipParseException(400, uriProblem, sp1 + 1, null);
        }
        if (!version.equals("SIP/2.0")) {
            throw new SipParseException(505, "SIP version " + Printable.escape(version) + " not supported", sp2 + 1, null);
        }
        return method;
    }

    /** End of the line starting at {@code from} (before "\r\n" or "\n"), or the end of the text. */
    private static int lineEnd(String text, int from) {
        int nl = text.indexOf('\n', from);
        if (nl < 0) {
            return text.length();
        }
        return nl > from && text.charAt(nl - 1) == '\r' ? nl - 1 : nl;
    }

    /** Start of the line after the one ending at {@code end}, or -1 at the end of the head. */
    private static int nextLine(String text, int end) {
        if (end >= text.length()) {
            return -1;
        }
        int n = end + (text.charAt(end) == '\r' ? 2 : 1);
        return n >= text.length() ? -1 : n;
    }
}
