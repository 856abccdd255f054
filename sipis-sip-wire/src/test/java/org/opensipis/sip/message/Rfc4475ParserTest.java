package org.opensipis.sip.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every RFC 4475 message against our parser (the outcome in {@link Rfc4475}) and against JAIN-SIP:
 * a disagreement on validity or on a value fails unless it is listed in {@link #JAIN_SIP_DIFFERENCES}
 * with the RFC section that says we are right (docs/sip.md has the same list).
 */
class Rfc4475ParserTest {

    static final List<Rfc4475.Case> CASES = Rfc4475.CASES;

    /** Fixture → why our verdict differs from JAIN-SIP's, with the RFC section. */
    static final Map<String, String> JAIN_SIP_DIFFERENCES = Map.ofEntries(
            Map.entry("badaspec", "RFC 4475 3.1.2.14, RFC 3261 25.1: no LWS inside <addr-spec>; 400"),
            Map.entry("badvers", "RFC 4475 3.1.2.16, RFC 3261 8.2.2.1 / 21.5.7: SIP/7.0 is answered 505"),
            Map.entry("escruri", "RFC 4475 3.1.2.11, RFC 3261 19.1.1 (table): headers are not allowed in a Request-URI; 400"),
            Map.entry("inv2543", "RFC 4475 3.4.1: a valid RFC 2543 INVITE without Content-Length on UDP; the body is the rest "
                    + "of the datagram (RFC 3261 18.3, 20.14)"),
            Map.entry("lwsstart", "RFC 4475 3.1.2.9, RFC 3261 25.1 Request-Line = Method SP Request-URI SP SIP-Version; 400"),
            Map.entry("multi01", "RFC 4475 3.3.8, RFC 3261 7.3.1 / 20: From, To, Call-ID, CSeq, Max-Forwards are single-valued; 400"),
            Map.entry("regbadct", "RFC 4475 3.1.2.13, RFC 3261 20.10: a URI with '?' or ',' must be in <>; 400"),
            Map.entry("trws", "RFC 4475 3.1.2.10, RFC 3261 25.1: no SP after SIP-Version; 400"));

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void ourParserGivesTheTableOutcome(Rfc4475.Case c) {
        byte[] b = c.bytes();
        Rfc4475.Parse got;
        try {
            SipMessage.parse(b);
            got = Rfc4475.Parse.VALID;
        } catch (SipParseException e) {
            byte[] answer = WireResponses.error(e);
            got = answer == null ? Rfc4475.Parse.DROP : e.status() == 505 ? Rfc4475.Parse.ANSWER_505 : Rfc4475.Parse.ANSWER_400;
            assertThat(e.phrase()).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
        }
        assertThat(got).as(c.file() + " (" + c.rfc() + ")").isEqualTo(c.parse());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void jainSipAgreesOrTheDifferenceIsJustified(Rfc4475.Case c) {
        byte[] b = c.bytes();
        String diff = JainSipReference.difference(JainSipReference.ours(b), JainSipReference.jainSip(b));
        if (diff == null) {
            assertThat(JAIN_SIP_DIFFERENCES).as(c.file() + ": listed as a difference, but the parsers agree")
                    .doesNotContainKey(c.file());
        } else {
            assertThat(JAIN_SIP_DIFFERENCES).as(c.file() + ": " + diff + " (list it with the RFC section, or fix it)")
                    .containsKey(c.file());
        }
    }

    @Test
    void allFortyNineFixturesAreInTheTable() {
        assertThat(CASES).hasSize(49).extracting(Rfc4475.Case::file).doesNotHaveDuplicates();
        for (Rfc4475.Case c : CASES) {
            assertThat(c.bytes()).isNotEmpty();
        }
    }
}
