package org.opensipis.sip.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The strict parser on wire fixtures from src/test/resources/sip. */
class SipMessageTest {

    static SipMessage fixture(String name) throws IOException {
        try (InputStream in = SipMessageTest.class.getResourceAsStream("/sip/" + name)) {
            return SipMessage.parse(in.readAllBytes());
        }
    }

    @Test
    void parsesKamailioChallenge() throws IOException {
        SipMessage m = fixture("kamailio-401-qop.txt");
        assertThat(m.isResponse()).isTrue();
        assertThat(m.status()).isEqualTo(401);
        assertThat(m.reason()).isEqualTo("Unauthorized");
        assertThat(m.topBranch()).isEqualTo("z9hG4bK1a2b3c");
        assertThat(m.cseq()).isEqualTo(1);
        assertThat(m.callId()).isEqualTo("99170fbb183477a35a94c9bf@sipis");
        assertThat(m.headers("www-authenticate")).hasSize(1);
    }

    @Test
    void compactFormsListsQuotedCommasAndFolding() throws IOException {
        SipMessage m = fixture("200-multiple-contacts-compact.txt");
        assertThat(m.topBranch()).isEqualTo("z9hG4bKproxy");
        assertThat(m.headers("via")).hasSize(2);
        assertThat(m.callId()).isEqualTo("cid-1@sipis");
        assertThat(m.headers("contact")).hasSize(3);
        String ours = m.headers("contact").get(1);
        assertThat(HeaderParams.uriUser(HeaderParams.uri(ours))).isEqualTo("sABCDEF-01");
        assertThat(HeaderParams.param(ours, "expires")).isEqualTo("1800");
        assertThat(HeaderParams.param(m.headers("contact").get(2), "expires")).isEqualTo("90");
        assertThat(m.intHeader("expires")).hasValue(3600);
        assertThat(m.intHeader("content-length")).hasValue(0);
    }

    @Test
    void onlyContactValuesNamingUsAreSplit() throws IOException {
        SipMessage m = fixture("200-multiple-contacts-compact.txt");
        assertThat(m.headers("contact", "sABCDEF-01")).contains(m.headers("contact").get(1));
        assertThat(m.headers("contact", "sNOBODY")).isEmpty();
        assertThat(m.hasListHeader("contact")).isTrue();
        assertThat(m.hasListHeader("record-route")).isFalse();
        assertThat(SipMessage.parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\nCall-ID: c\r\n"
                + "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCSeq: 2 REGISTER\r\nRecord-Route: , \r\n\r\n").hasListHeader("record-route"))
                .isFalse();
    }

    @Test
    void headerNamesFoldWhateverTheirCase() {
        SipMessage m = SipMessage.parse("SIP/2.0 200 OK\r\nvIA : SIP/2.0/UDP h;branch=z9hG4bKa , SIP/2.0/UDP g\r\n"
                + "f: <sip:a@b>;tag=1\r\nTO: <sip:a@b>\r\nCALL-ID: c\r\ncseq: 2 REGISTER\r\nX-Custom-Thing: a\r\n  folded\r\nm: <sip:a@b>\r\n\r\nbody");
        assertThat(m.topBranch()).isEqualTo("z9hG4bKa");
        assertThat(m.callId()).isEqualTo("c");
        assertThat(m.header("x-custom-thing")).hasValue("a folded");
        assertThat(m.headers("contact")).containsExactly("<sip:a@b>");
        assertThat(m.body()).isEqualTo("body");
    }

    @Test
    void bareLineFeedsAreAccepted() throws IOException {
        SipMessage m = fixture("423-lf-only.txt");
        assertThat(m.status()).isEqualTo(423);
        assertThat(m.intHeader("min-expires")).hasValue(1800);
    }

    @ParameterizedTest
    @CsvSource({"bad-status-code.txt,bad status", "bad-no-call-id.txt,Call-ID",
            "bad-header-without-colon.txt,header line without a colon"})
    void rejectsMalformedMessagesNamingTheProblem(String file, String problem) {
        assertThatThrownBy(() -> fixture(file)).isInstanceOf(SipParseException.class).hasMessageContaining(problem);
    }

    @Test
    void parsesRequests() {
        SipMessage m = SipMessage.parse("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\nContent-Length: 0\r\n\r\n");
        assertThat(m.method()).isEqualTo("REGISTER");
        assertThat(m.requestUri()).isEqualTo("sip:example.com");
    }

    @Test
    void rejectsTextWithoutHeaderEnd() {
        assertThatThrownBy(() -> SipMessage.parse("SIP/2.0 200 OK\r\nVia: x")).hasMessageContaining("no empty line");
    }
}
