package org.opensipis.sip.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 seeded mutations ({@link SipMutator}) parsed by our parser and by JAIN-SIP. Ours never
 * throws anything but {@link SipParseException}; where the two disagree (validity, or a value) the
 * disagreement must fall in a class listed in {@link #JUSTIFIED} with the RFC section that says we
 * are right. The same list is in docs/sip.md.
 */
@Timeout(120)
class SipFuzzParserTest {

    static final long SEED = 20_261_202L;
    static final int CASES = 10_000;

    /**
     * Classes of disagreement (a pattern over what {@link #classOf} makes of it) → why we are
     * right. Where JAIN-SIP refuses and we accept, we follow a receiver's duty to accept; where we
     * refuse and it accepts, the grammar of RFC 3261 section 25 (and RFC 4475) says the message is
     * invalid and JAIN-SIP's parser is lenient.
     */
    static final Map<String, String> JUSTIFIED = Map.ofEntries(
            Map.entry("we accept, JAIN-SIP: Invalid content length",
                    "RFC 3261 18.3: on a datagram, octets after Content-Length are discarded (RFC 4475 3.1.1.8 dblreq)"),
            Map.entry("we accept, JAIN-SIP: Extraneous characters at the end of the message",
                    "RFC 3261 18.3 (trailing octets of a datagram discarded) and RFC 3261 7.5 / robustness: CRLFs "
                    + "before the start line and bare-LF line ends are read, as the engine always did with registrars"),
            Map.entry("we accept, JAIN-SIP: Missing a required header Max-Forwards",
                    "RFC 4475 3.4.1 / RFC 3261 8.2: a UAS accepts RFC 2543 requests without Max-Forwards"),
            Map.entry("we accept, JAIN-SIP: Missing a required header Contact",
                    "RFC 4475 3.4.1: an RFC 2543 INVITE (no magic cookie) need not carry Contact; with the cookie we "
                    + "require it (RFC 3261 8.1.1.8)"),
            Map.entry("we refuse: control character in a header",
                    "RFC 3261 25.1: no CTL outside a quoted-pair (TEXT-UTF8char, LWS); refused at the wire"),
            Map.entry("we refuse: header section is not UTF-N", "RFC 3261 25.1 UTF8-NONASCII: only well-formed UTF-8"),
            Map.entry("we refuse: (malformed|negative) Content-Length|we refuse: Content-Length out of range",
                    "RFC 3261 20.14 Content-Length = 1*DIGIT; RFC 4475 3.1.2.3 ncl"),
            Map.entry("we refuse: more than one (CSeq|Call-ID|Content-Length|Content-Type|From|Max-Forwards|To) header",
                    "RFC 3261 7.3.1: only list headers may repeat; RFC 4475 3.3.8 multi01, 3.3.9 mcl01"),
            Map.entry("we refuse: more than N headers", "RFC 3261 26.1.5: a receiver bounds what it accepts (128 headers)"),
            Map.entry("we refuse: (bad header name|header line without a colon|no empty line after the headers)",
                    "RFC 3261 7.3.1 / 25.1: header-name = token, HCOLON; the header section ends with an empty line"),
            Map.entry("we refuse: (bad method|bad SIP version|malformed Request-Line|whitespace at the end|whitespace inside "
                    + "the Request-URI|Request-URI without a scheme).*",
                    "RFC 3261 25.1 Request-Line = Method SP Request-URI SP SIP-Version CRLF; RFC 4475 3.1.2.7-3.1.2.10"),
            Map.entry("we refuse: SIP version not supported", "RFC 3261 8.2.2.1 / 21.5.7: 505; RFC 4475 3.1.2.16"),
            Map.entry("we refuse: bad status code", "RFC 3261 25.1 Status-Code = 3DIGIT; RFC 4475 3.1.2.19"),
            Map.entry("we refuse: (malformed Via|empty or malformed parameter in Via|malformed parameter value in Via).*",
                    "RFC 3261 20.42 / 25.1 via-parm = sent-protocol LWS sent-by *( SEMI via-params ); RFC 4475 3.1.2.1"),
            Map.entry("we refuse: .* (in|of) (Contact|From|To)|we refuse: (display name|empty Contact|unexpected text after|"
                    + "empty or malformed parameter in|malformed parameter value in|a URI with|URI without a scheme in).*",
                    "RFC 3261 25.1 name-addr / addr-spec / SIP-URI (hostport, userinfo, generic-param); RFC 3261 20.10; "
                    + "RFC 4475 3.1.2.6, 3.1.2.13-3.1.2.15"));

    static boolean justified(String cls) {
        return JUSTIFIED.keySet().stream().anyMatch(cls::matches);
    }

    @Test
    void tenThousandMutationsEitherAgreeWithJainSipOrDifferForAListedReason() {
        SipMutator mutator = new SipMutator(List.of());
        Random rnd = new Random(SEED);
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, String> examples = new TreeMap<>();
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            SipMutator.Mutation m = mutator.next(rnd);
            JainSipReference.Verdict ours = JainSipReference.ours(m.bytes());
            if (!ours.valid()) {
                refused++;
            }
            String diff = JainSipReference.difference(ours, JainSipReference.jainSip(m.bytes()));
            if (diff != null) {
                String cls = classOf(diff);
                counts.merge(cls, 1, Integer::sum);
                examples.putIfAbsent(cls, "#" + i + " " + m.kind() + ": " + diff + "\n" + Printable.escape(m.text()));
            }
        }
        StringBuilder unlisted = new StringBuilder();
        counts.forEach((cls, n) -> {
            if (!justified(cls)) {
                unlisted.append(n).append(" x ").append(cls).append("\n    e.g. ").append(examples.get(cls)).append('\n');
            }
        });
        assertThat(unlisted.toString()).as("disagreements with JAIN-SIP of no listed class (seed %d)", SEED).isEmpty();
        assertThat(refused).as("the mutations must hit the parser's checks").isGreaterThan(CASES / 4);
    }

    /** A disagreement's class: the problem without numbers, offsets, quoted input or header values. */
    static String classOf(String diff) {
        String d = diff.replaceAll(" \\(at byte \\d+\\)", "");
        int jain = d.indexOf("JAIN-SIP refuses (");
        if (jain >= 0) {
            String why = d.substring(jain + 18, d.length() - 1);
            // JAIN-SIP's messages quote the input; keep the words of the complaint
            for (String known : JAIN_SIP_COMPLAINTS) {
                if (why.contains(known)) {
                    int h = why.indexOf("required header : ");
                    return "we accept, JAIN-SIP: " + known + (h >= 0 ? " " + why.substring(h + 18).trim() : "");
                }
            }
            return "we accept, JAIN-SIP: " + why;
        }
        if (d.startsWith("we refuse (")) {
            String why = d.substring(11, d.indexOf("), JAIN-SIP accepts"));
            return "we refuse: " + why.replaceAll("^control character in .*", "control character in a header")
                    .replaceAll("\\d+", "N").replaceAll("SIP version .* not supported", "SIP version not supported");
        }
        return "value " + d.substring(0, d.indexOf(':'));
    }

    /** The words of JAIN-SIP's complaints (its messages quote the input around them). */
    static final List<String> JAIN_SIP_COMPLAINTS = List.of("Extraneous characters at the end of the message",
            "Invalid content length", "Missing a required header", "Is missing", "Illegal character in hostname",
            "Missing host name", "Unexpected Token", "Expecting", "Bad URI format", "CSEQ method mismatch");
}
