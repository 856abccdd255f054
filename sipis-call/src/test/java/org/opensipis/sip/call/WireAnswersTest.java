package org.opensipis.sip.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.DeviceToken.Kind.INCOMING_CALL;
import static org.opensipis.core.instance.DeviceToken.Platform.APNS;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.push.Verb;

/** RFC 3261 8.2 answers before anything is pushed: 420, 416, 505, 400 naming the problem; no raw NUL anywhere. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireAnswersTest {

    private static final String SEL = "ABCDEF01";
    private final CallHarness h = new CallHarness();
    private final FakePeer proxy = new FakePeer(Transport.UDP);

    WireAnswersTest() {
        h.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip1"));
    }

    private String invite() {
        return CallHarness.invite(SEL, "w@x", "z9hG4bKw");
    }

    @Test
    void unknownRequireIs420WithUnsupportedAndNoPush() {
        h.receive(invite().replace("Max-Forwards: 69", "Require: nobodyKnowsThisExtension, replaces\r\nMax-Forwards: 69"),
                proxy);
        assertThat(proxy.last().status()).isEqualTo(420);
        assertThat(proxy.last().header("unsupported")).hasValue("nobodyKnowsThisExtension");
        assertThat(h.push.sent).isEmpty();
    }

    @Test
    void otherUriSchemesAre416() {
        h.receive(invite().replaceFirst("INVITE sip:s" + SEL + "@127.0.0.1:5099", "INVITE tel:+15551234"), proxy);
        assertThat(proxy.last().status()).isEqualTo(416);
        assertThat(h.push.sent).isEmpty();
    }

    @Test
    void anotherSipVersionIs505() {
        h.receive(invite().replace(" SIP/2.0\r\n", " SIP/7.0\r\n"), proxy);
        assertThat(proxy.last().status()).isEqualTo(505);
    }

    @Test
    void aRawNulIsRefusedWith400NamingTheHeader() {
        h.receive(invite().replace("Call-ID: w@x", "Call-ID: w\0@x"), proxy);
        assertThat(proxy.lastStatusLine()).isEqualTo("SIP/2.0 400 Control character in Call-ID");
        assertThat(proxy.raw.get(0)).doesNotContain("\0");
        h.receive(invite().replace("\"Bob Caller\"", "Bob\0Caller"), proxy);
        assertThat(proxy.lastStatusLine()).isEqualTo("SIP/2.0 400 Control character in From");
        assertThat(h.push.sent).isEmpty();
    }

    @Test
    void missingHeadersAreNamedInTheReasonPhrase() {
        h.receive(invite().replace("Call-ID: w@x\r\n", ""), proxy);
        assertThat(proxy.lastStatusLine()).isEqualTo("SIP/2.0 400 Missing Call-ID header");
    }

    @Test
    void aNulAsAQuotedPairReachesThePushOnlyEscaped() {
        h.receive(invite().replace("\"Bob Caller\"", "\"Bob\\\0Caller\""), proxy);
        assertThat(proxy.last().status()).isEqualTo(180);
        assertThat(h.push.of(Verb.INCOMING_CALL).get(0).request().callerName()).contains("Bob\\x00Caller");
    }
}
