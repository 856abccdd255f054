package org.opensipis.lb2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SipHeadTest {

    static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";

    private static SipHead head(String message) {
        return SipHead.parse(message.substring(0, message.indexOf("\r\n\r\n")));
    }

    @Test
    void registerRoutesOnTheToUserAndPnParam() {
        SipHead h = head(SipWire.register(SEL, "TEAM.com.example.app.voip", 1));
        assertThat(h.method()).isEqualTo("REGISTER");
        assertThat(h.selector()).contains(SEL);
        assertThat(h.appId()).isEqualTo("TEAM.com.example.app.voip");
    }

    @Test
    void escapedColonCompactHeadersAndExplicitHeaders() {
        SipHead h = head("OPTIONS sip:12869E0E%3A7C3A0D14@h SIP/2.0\r\nv: SIP/2.0/TCP x\r\nt: <sip:other@h>\r\n"
                + "l: 0\r\n\r\n");
        assertThat(h.selector()).contains("12869E0E:7C3A0D14");
        assertThat(h.appId()).isEmpty();
        SipHead x = head("MESSAGE sip:h SIP/2.0\r\nX-Sipis-Selector: ABC\r\nX-Sipis-App-Id: com.x\r\n"
                + "Contact: <sip:a@h;pn-param=com.y>\r\n\r\n");
        assertThat(x.selector()).contains("ABC");
        assertThat(x.appId()).isEqualTo("com.x");
    }

    @Test
    void foldedHeadersAndContentLength() {
        SipHead h = head("INVITE sip:u@h SIP/2.0\r\nSubject: a\r\n  b\r\nContent-Length: 12\r\n\r\n");
        assertThat(h.header("subject")).contains("a b");
        assertThat(SipHead.contentLength("INVITE sip:u@h SIP/2.0\r\nContent-Length: 12")).isEqualTo(12);
        assertThat(SipHead.contentLength("INVITE sip:u@h SIP/2.0\r\nl: x")).isEqualTo(-1);
        assertThat(SipHead.contentLength("INVITE sip:u@h SIP/2.0")).isZero();
    }

    @Test
    void refusesWhatIsNotSip() {
        assertThatThrownBy(() -> SipHead.parse("GET / HTTP/1.1\r\nHost: x")).hasMessageContaining("not a SIP start line");
        assertThatThrownBy(() -> SipHead.parse("OPTIONS sip:a@b SIP/2.0\r\nbroken line")).hasMessageContaining("malformed header");
    }
}
