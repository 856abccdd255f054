package org.opensipis.sip.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.DeviceToken.Kind.INCOMING_CALL;
import static org.opensipis.core.instance.DeviceToken.Kind.OTHER;
import static org.opensipis.core.instance.DeviceToken.Platform.APNS;

import org.junit.jupiter.api.BeforeEach;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.push.Verb;

/** MESSAGE through the IncomingTextMessage filters: stored, pushed, dropped or rejected. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TextMessagesTest {

    private static final String SEL = "0123ABCD";
    private final CallHarness h = new CallHarness();
    private final FakePeer proxy = new FakePeer(Transport.UDP);

    @BeforeEach
    void instance() {
        h.push.autoAccept = true;
        h.add(SEL, CallHarness.token(APNS, INCOMING_CALL, "voip"), CallHarness.token(APNS, OTHER, "alert"));
    }

    @Test
    void plainTextIsStoredPushedAndAccepted() {
        h.receive(CallHarness.message(SEL, "z9hG4bKm1", "text/plain", "hello there", null), proxy);
        assertThat(proxy.last().status()).isEqualTo(202);
        assertThat(h.log.textMessages(SEL).join()).singleElement().satisfies(m -> {
            assertThat(m.body()).isEqualTo("hello there");
            assertThat(m.contentType()).isEqualTo("text/plain");
            assertThat(m.msgId()).isEqualTo("msg-z9hG4bKm1:1");
        });
        assertThat(h.push.of(Verb.TEXT_MESSAGE)).singleElement().satisfies(s -> {
            assertThat(s.request().target().token()).isEqualTo("alert");
            assertThat(s.request().messageText()).contains("hello there");
            assertThat(s.request().badge()).hasValue(1);
            assertThat(s.request().callerName()).contains("Bob");
        });
        assertThat(h.incoming.stats().messages()).containsEntry("stored-and-pushed", 1L);
    }

    @Test
    void retransmissionGetsTheSameAnswerAndIsStoredOnce() {
        String msg = CallHarness.message(SEL, "z9hG4bKm2", "text/plain", "hi", null);
        h.receive(msg, proxy);
        h.receive(msg, proxy);
        assertThat(proxy.sent).hasSize(2).allSatisfy(m -> assertThat(m.status()).isEqualTo(202));
        assertThat(h.log.textMessages(SEL).join()).hasSize(1);
        h.advance(java.time.Duration.ofSeconds(33)); // Timer J forgets the transaction
        h.receive(msg, proxy);
        assertThat(h.log.textMessages(SEL).join()).hasSize(2);
    }

    @Test
    void isComposingIsAcceptedAndDropped() {
        h.receive(CallHarness.message(SEL, "z9hG4bKm3", "application/im-iscomposing+xml", "<x/>", null), proxy);
        assertThat(proxy.last().status()).isEqualTo(200);
        assertThat(h.log.textMessages(SEL).join()).isEmpty();
        assertThat(h.push.sent).isEmpty();
    }

    @Test
    void imdnIsStoredButNotPushed() {
        h.receive(CallHarness.message(SEL, "z9hG4bKm4", "message/cpim;imdn", "x", null), proxy);
        assertThat(proxy.last().status()).isEqualTo(202);
        assertThat(h.log.textMessages(SEL).join()).hasSize(1);
        assertThat(h.push.sent).isEmpty();
    }

    @Test
    void tooLargeIsRejectedWith413() {
        h.receive(CallHarness.message(SEL, "z9hG4bKm5", "text/plain", "x".repeat(4194305), null), proxy);
        assertThat(proxy.last().status()).isEqualTo(413);
        assertThat(proxy.last().reason()).isEqualTo("Request Entity Too Large");
        assertThat(h.log.textMessages(SEL).join()).isEmpty();
        assertThat(h.incoming.stats().messages()).containsEntry("rejected", 1L);
    }

    @Test
    void unknownInstanceIs404() {
        h.receive(CallHarness.message("FFFF", "z9hG4bKm6", "text/plain", "x", null), proxy);
        assertThat(proxy.last().status()).isEqualTo(404);
    }
}
