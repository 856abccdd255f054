package org.opensipis.sip.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The 49 RFC 4475 torture messages (test resources {@code rfc4475/}, byte for byte as in the
 * RFC's tarball) and what should happen to each: the RFC's verdict (section 3.1.1 valid,
 * 3.1.2 invalid, 3.2-3.4 as the section says), what our parser does, and what the socket
 * that receives INVITEs answers. Shared by the parser, UDP, app-leg and LB2 tests.
 */
public final class Rfc4475 {

    /** What the parser does: accepts, refuses with an answer (400/505), or refuses without one (a response). */
    public enum Parse { VALID, ANSWER_400, ANSWER_505, DROP }

    /**
     * @param file    fixture name without .dat
     * @param section RFC 4475 section
     * @param rfc     the RFC's verdict and expected handling, in short
     * @param parse   what our parser does
     * @param udp     our answer on the incoming-call socket (0 = none); the fixtures' users are not
     *                instances of ours, so a valid INVITE/MESSAGE gets 404, REGISTER and unknown
     *                methods 405, OPTIONS 200
     */
    public record Case(String file, String section, String rfc, Parse parse, int udp) {
        public byte[] bytes() {
            try (InputStream in = Rfc4475.class.getResourceAsStream("/rfc4475/" + file + ".dat")) {
                if (in == null) {
                    throw new IllegalStateException("missing fixture rfc4475/" + file + ".dat");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public boolean isResponse() {
            return bytes()[0] == 'S' && new String(bytes(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("SIP/");
        }

        @Override
        public String toString() {
            return file;
        }
    }

    private Rfc4475() {
    }

    /**
     * What a stream receiver (the app leg, LB2 on TCP) does with the fixture sent as it is. Where a
     * stream differs from a datagram (RFC 3261 18.3: Content-Length is required and frames the
     * message): clerr's Content-Length runs past the end, so the message never completes; ncl,
     * mcl01 and inv2543 (none, negative, two) cannot be framed: 400, then the flow closes; dblreq is
     * two messages on a stream.
     *
     * @return the expected status codes (-1 stands for "an answer of the receiver's own, not a
     *         refusal by the wire layer": not 500/505, and a 400 only with an X-Sipis-Reason), and
     *         whether the receiver closes the flow (then no probe is sent)
     */
    public static StreamExpectation stream(Case c) {
        switch (c.file()) {
            case "clerr":
                return new StreamExpectation(List.of(), true);
            case "ncl":
            case "mcl01":
            case "inv2543":
                return new StreamExpectation(List.of(400), true);
            case "dblreq":
                return new StreamExpectation(List.of(-1), false); // see streamBytes
            default:
                break;
        }
        switch (c.parse()) {
            case ANSWER_400:
                return new StreamExpectation(List.of(400), false);
            case ANSWER_505:
                return new StreamExpectation(List.of(505), false);
            case DROP:
                return new StreamExpectation(List.of(), false);
            default:
                return new StreamExpectation(c.isResponse() ? List.of() : List.of(-1), false);
        }
    }

    /**
     * The bytes to send on a stream: the fixture, except dblreq, a datagram test (3.1.1.8: octets
     * after the Content-Length in a UDP datagram are ignored). On a stream those octets are the
     * next message, and the INVITE's Content-Length (150) ends 5 octets short of its body, so only
     * the REGISTER is sent.
     */
    public static byte[] streamBytes(Case c) {
        byte[] b = c.bytes();
        if (!c.file().equals("dblreq")) {
            return b;
        }
        String text = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf("\r\n\r\n") + 4).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** See {@link #stream}. */
    public record StreamExpectation(List<Integer> codes, boolean closes) {
        /** Whether {@code got} (what {@link WireExchange} collected) meets this expectation. */
        public boolean metBy(WireExchange.Outcome got) {
            if (got.codes().size() != codes.size() || (closes && !got.closed())) {
                return false;
            }
            for (int i = 0; i < codes.size(); i++) {
                int want = codes.get(i);
                int have = got.codes().get(i);
                boolean own = have >= 100 && have != 500 && have != 505
                        && (have != 400 || got.raw().get(i).contains("\r\nX-Sipis-Reason:"));
                if (want == -1 ? !own : want != have) {
                    return false;
                }
            }
            return true;
        }
    }

    public static final List<Case> CASES = List.of(
            // 3.1.1 valid messages
            new Case("wsinv", "3.1.1.1", "valid: short tortuous INVITE", Parse.VALID, 481),
            new Case("intmeth", "3.1.1.2", "valid: wide range of valid characters", Parse.VALID, 405),
            new Case("esc01", "3.1.1.3", "valid: escaped characters", Parse.VALID, 404),
            new Case("escnull", "3.1.1.4", "valid: escaped NULLs in URIs", Parse.VALID, 405),
            new Case("esc02", "3.1.1.5", "valid: use of % when it is not an escape", Parse.VALID, 405),
            new Case("lwsdisp", "3.1.1.6", "valid: message with no LWS between display name and <", Parse.VALID, 200),
            new Case("longreq", "3.1.1.7", "valid: long values in header fields", Parse.VALID, 404),
            new Case("dblreq", "3.1.1.8", "valid: extra trailing octets in a UDP datagram (ignored)", Parse.VALID, 405),
            new Case("semiuri", "3.1.1.9", "valid: semicolon-separated parameters in URI user part", Parse.VALID, 200),
            new Case("transports", "3.1.1.10", "valid: varied and unknown transport types", Parse.VALID, 200),
            new Case("mpart01", "3.1.1.11", "valid: multipart MIME message", Parse.VALID, 404),
            new Case("unreason", "3.1.1.12", "valid response: unusual reason phrase", Parse.VALID, 0),
            new Case("noreason", "3.1.1.13", "valid response: empty reason phrase", Parse.VALID, 0),
            // 3.1.2 invalid messages
            new Case("badinv01", "3.1.2.1", "invalid: extraneous header field separators; 400", Parse.ANSWER_400, 400),
            new Case("clerr", "3.1.2.2", "invalid: Content-Length larger than the message; 400", Parse.ANSWER_400, 400),
            new Case("ncl", "3.1.2.3", "invalid: negative Content-Length; 400", Parse.ANSWER_400, 400),
            new Case("scalar02", "3.1.2.4", "invalid: request scalar fields with overlarge values; 400", Parse.ANSWER_400, 400),
            new Case("scalarlg", "3.1.2.5", "invalid response: overlarge scalar values; drop", Parse.DROP, 0),
            new Case("quotbal", "3.1.2.6", "invalid: unterminated quoted string in display name; 400", Parse.ANSWER_400, 400),
            new Case("ltgtruri", "3.1.2.7", "invalid: <> enclosing Request-URI; 400", Parse.ANSWER_400, 400),
            new Case("lwsruri", "3.1.2.8", "invalid: malformed SIP Request-URI (embedded LWS); 400", Parse.ANSWER_400, 400),
            new Case("lwsstart", "3.1.2.9", "invalid: multiple SP separating Request-Line elements; 400", Parse.ANSWER_400, 400),
            new Case("trws", "3.1.2.10", "invalid: SP characters at end of Request-Line; 400", Parse.ANSWER_400, 400),
            new Case("escruri", "3.1.2.11", "invalid: escaped headers in SIP Request-URI; 400", Parse.ANSWER_400, 400),
            new Case("baddate", "3.1.2.12", "invalid Date; may be processed ignoring the Date header", Parse.VALID, 404),
            new Case("regbadct", "3.1.2.13", "invalid: name-addr URI not enclosed in <>; 400", Parse.ANSWER_400, 400),
            new Case("badaspec", "3.1.2.14", "invalid: spaces within addr-spec; 400", Parse.ANSWER_400, 400),
            new Case("baddn", "3.1.2.15", "invalid: non-token characters in display name; 400", Parse.ANSWER_400, 400),
            new Case("badvers", "3.1.2.16", "invalid: unknown protocol version; 505", Parse.ANSWER_505, 505),
            new Case("mismatch01", "3.1.2.17", "invalid: start line and CSeq method mismatch; 400", Parse.ANSWER_400, 400),
            new Case("mismatch02", "3.1.2.18", "invalid: unknown method with CSeq method mismatch; 400", Parse.ANSWER_400, 400),
            new Case("bigcode", "3.1.2.19", "invalid response: overlarge response code; drop", Parse.DROP, 0),
            // 3.2 transaction layer
            new Case("badbranch", "3.2.1", "valid: branch is just the magic cookie; RFC 2543 matching", Parse.VALID, 200),
            // 3.3 application layer
            new Case("insuf", "3.3.1", "missing Call-ID, From, To; 400", Parse.ANSWER_400, 400),
            new Case("unkscm", "3.3.2", "unknown Request-URI scheme; 416", Parse.VALID, 416),
            new Case("novelsc", "3.3.3", "new Request-URI scheme (soap.beep); 416", Parse.VALID, 416),
            new Case("unksm2", "3.3.4", "unknown URI schemes in To/From/Contact; process normally", Parse.VALID, 405),
            new Case("bext01", "3.3.5", "Require with an unknown extension; 420 + Unsupported", Parse.VALID, 420),
            new Case("invut", "3.3.6", "unknown Content-Type; a UAS that needs the body answers 415", Parse.VALID, 404),
            new Case("regaut01", "3.3.7", "unknown authorization scheme; registrar answers 401", Parse.VALID, 405),
            new Case("multi01", "3.3.8", "multiple values in single-value header fields; 400", Parse.ANSWER_400, 400),
            new Case("mcl01", "3.3.9", "multiple Content-Length values; 400", Parse.ANSWER_400, 400),
            new Case("bcast", "3.3.10", "valid 200 with a broadcast Via; must not be forwarded there", Parse.VALID, 0),
            new Case("zeromf", "3.3.11", "Max-Forwards 0: a UAS answers OPTIONS normally", Parse.VALID, 200),
            new Case("cparam01", "3.3.12", "valid: Contact parameters (expires in the URI)", Parse.VALID, 405),
            new Case("cparam02", "3.3.12", "valid: Contact parameters (expires in the URI, name-addr)", Parse.VALID, 405),
            new Case("regescrt", "3.3.13", "valid: escaped headers in a Contact URI in <>", Parse.VALID, 405),
            new Case("sdp01", "3.3.14", "Accept without application/sdp; 406 or proceed", Parse.VALID, 404),
            // 3.4 backward compatibility
            new Case("inv2543", "3.4.1", "valid RFC 2543 INVITE (no branch, no Max-Forwards)", Parse.VALID, 404));
}
