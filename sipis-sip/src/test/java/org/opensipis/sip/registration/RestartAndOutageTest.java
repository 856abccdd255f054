package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.RegistrationState.ERROR;
import static org.opensipis.core.instance.RegistrationState.REGISTERED;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;
import org.slf4j.LoggerFactory;

/**
 * Bindings across a restart (taken over on schedule, a changed Contact removed in the same
 * REGISTER, left in place at stop unless asked), our expiry read from our own Contact, and a
 * registrar outage made visible in the log. Fake registrar on loopback, fake clock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestartAndOutageTest {

    private static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    private FakeRegistrar registrar;
    private EngineHarness h;

    @BeforeEach
    void setUp() throws Exception {
        registrar = new FakeRegistrar();
        registrar.addUser("alice", "secret");
        registrar.maxExpires = 600;
        h = new EngineHarness(EngineHarness.settings());
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
        registrar.close();
    }

    private InstanceRecord alice() {
        return EngineHarness.record(SEL, "alice", "secret", registrar.udpPort(), Transport.UDP);
    }

    private List<SipMessage> registers() {
        return registrar.received.stream().filter(m -> "REGISTER".equals(m.method())).toList();
    }

    private String ourContact(EngineHarness e) {
        return "sip:" + RequestBuilder.contactUser(SEL) + "@127.0.0.1:" + e.engine.udpPort();
    }

    private InstanceState stored(String contact, Instant grantedAt, Instant until) {
        return new InstanceState(SEL, "test-server", REGISTERED, "", Optional.of(until), Optional.of(contact),
                "restored@sipis", 40, grantedAt);
    }

    @Test
    void aValidBindingWithTheSameContactIsTakenOverAndRefreshedOnItsSchedule() {
        Instant now = h.clock.instant();
        // granted 600 s, 100 s ago: with RefreshAt 0.5 (no jitter) the refresh is due in 200 s
        h.engine.register(alice(), Optional.of(stored(ourContact(h), now.minusSeconds(100), now.plusSeconds(500))));
        h.awaitState(SEL, REGISTERED);
        h.advance(Duration.ofSeconds(199));
        assertThat(h.sent()).isZero();
        assertThat(h.engine.resumedBindings()).isEqualTo(1);
        h.advance(Duration.ofSeconds(1));
        h.settle(() -> !registers().isEmpty()); // then maybe a 401 and the answer to it
        SipMessage refresh = registers().get(0);
        assertThat(refresh.callId()).isEqualTo("restored@sipis");
        assertThat(refresh.headers("contact")).singleElement().asString().contains(ourContact(h));
        long resumedAt = RegistrationEngine.restartCseq(40);
        h.settle(() -> h.engine.state(SEL).orElseThrow().cseq() > resumedAt);
        assertThat(registrar.bindings).hasSize(1);
        // the binding was taken over without telling the listener; its first refresh is told
        assertThat(h.states.get(h.states.size() - 1).cseq()).isGreaterThan(resumedAt);
    }

    @Test
    void anExpiredOrAlmostExpiredBindingIsRegisteredAtOnce() {
        Instant now = h.clock.instant();
        h.engine.register(alice(), Optional.of(stored(ourContact(h), now.minusSeconds(590), now.plusSeconds(10))));
        h.settle(() -> !registers().isEmpty());
        h.awaitState(SEL, REGISTERED);
        assertThat(h.engine.state(SEL).orElseThrow().registeredUntil().orElseThrow()).isAfter(now.plusSeconds(500));
    }

    @Test
    void aChangedContactRemovesTheOldBindingInTheSameRegister() throws Exception {
        h.engine.register(alice(), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        InstanceState before = h.engine.state(SEL).orElseThrow();
        assertThat(before.contact()).contains(ourContact(h));
        h.close(); // a stop: the binding stays (Registration[UnregisterOnStop] is No)
        assertThat(registrar.bindings).hasSize(1);

        // the next start registers from another port (Registration[Port] was edited)
        h = new EngineHarness(EngineHarness.settings());
        h.engine.register(alice(), Optional.of(before));
        h.settle(() -> registers().size() >= 2 && h.stateOf(SEL) == REGISTERED);
        List<String> contacts = registers().get(registers().size() - 1).headers("contact");
        assertThat(contacts).hasSize(2);
        assertThat(HeaderParams.uri(contacts.get(0))).isEqualTo(before.contact().orElseThrow());
        assertThat(HeaderParams.param(contacts.get(0), "expires")).isEqualTo("0");
        assertThat(HeaderParams.uri(contacts.get(1))).isEqualTo(ourContact(h));
        assertThat(registrar.bindings.keySet()).containsExactly("alice|" + ourContact(h));
        assertThat(h.engine.state(SEL).orElseThrow().contact()).contains(ourContact(h));
    }

    @Test
    void stopUnregistersOnlyWhenAsked() throws Exception {
        h.close();
        h = new EngineHarness(EngineHarness.settings().withUnregisterOnStop(true));
        h.engine.register(alice(), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        h.close();
        assertThat(registrar.bindings).isEmpty();
        h = new EngineHarness(EngineHarness.settings());
    }

    @Test
    void theGrantedExpiryIsReadFromOurContactNotFromAStaleOneWithTheSameUser() {
        String stale = "sip:" + RequestBuilder.contactUser(SEL) + "@127.0.0.1:9";
        registrar.script.add(req -> FakeRegistrar.response(req, 200, "OK", "Contact: <" + stale + ">;expires=1\r\n"
                + "Contact: <" + ourContact(h) + ";transport=udp>;expires=7\r\n" // not ours: transport differs
                + "Contact: <SIP:" + RequestBuilder.contactUser(SEL) + "@127.0.0.1:" + h.engine.udpPort() + ">;expires=115\r\n"));
        Instant now = h.clock.instant();
        h.engine.register(alice(), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        assertThat(h.engine.state(SEL).orElseThrow().registeredUntil()).contains(now.plusSeconds(115));
    }

    @Test
    void uriEqualityFollowsRfc3261() {
        assertThat(SipUris.same("sip:sA@127.0.0.1:5070", "SIP:sA@127.0.0.1:5070")).isTrue();
        assertThat(SipUris.same("sip:sA@Host.example:5070", "sip:sA@host.EXAMPLE:5070")).isTrue();
        assertThat(SipUris.same("sip:s%41@h:1", "sip:sA@h:1")).isTrue();
        assertThat(SipUris.same("sip:sA@h:1;transport=TCP", "sip:sA@h:1;transport=tcp")).isTrue();
        assertThat(SipUris.same("sip:sA@h:1;lr", "sip:sA@h:1")).isTrue();
        assertThat(SipUris.same("sip:sa@h:1", "sip:sA@h:1")).isFalse();
        assertThat(SipUris.same("sip:sA@h:1", "sip:sA@h:2")).isFalse();
        assertThat(SipUris.same("sip:sA@h", "sip:sA@h:5060")).isFalse();
        assertThat(SipUris.same("sip:sA@h:1;transport=tcp", "sip:sA@h:1")).isFalse();
        assertThat(SipUris.same("sips:sA@h:1", "sip:sA@h:1")).isFalse();
        assertThat(SipUris.same("sip:sA@[::1]:1", "sip:sA@[::1]:1")).isTrue();
    }

    @Test
    void aRegistrarOutageIsLoggedOnceThenSummedUpThenItsRecovery() {
        Logger log = (Logger) LoggerFactory.getLogger(RegistrarHealth.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            registrar.silent = true;
            for (int i = 0; i < 3; i++) {
                h.engine.register(EngineHarness.record(SEL.substring(0, 39) + i, "alice", "secret", registrar.udpPort(),
                        Transport.UDP), Optional.empty());
            }
            h.settle(() -> registrar.received.isEmpty() && h.sent() == 3);
            h.advance(Duration.ofSeconds(32)); // Timer F of all three
            h.settle(() -> h.engine.stats().timeouts() == 3);
            assertThat(warnings(lines)).singleElement().asString().contains("is not answering").contains("timeout");
            // retries after 10 s time out again at ~74 s: within the minute nothing more, then one summary
            for (int s = 0; s < 120 && h.engine.stats().timeouts() < 9; s++) {
                h.advance(Duration.ofSeconds(1));
                h.owner.runReady();
            }
            h.settle(() -> h.engine.stats().timeouts() >= 9);
            assertThat(h.stateOf(SEL.substring(0, 39) + "0")).isEqualTo(ERROR);
            assertThat(warnings(lines)).hasSize(2);
            assertThat(warnings(lines).get(1)).contains("still not answering").contains("failed REGISTERs");

            registrar.silent = false;
            h.advance(Duration.ofSeconds(60));
            h.awaitState(SEL.substring(0, 39) + "0", REGISTERED);
            assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.INFO).singleElement()
                    .extracting(ILoggingEvent::getFormattedMessage).asString().contains("answers again");
            assertThat(warnings(lines)).hasSize(2);
        } finally {
            log.detachAppender(lines);
        }
    }

    @Test
    void registersSentWhileItWasDownThatTimeOutAfterItIsBackLogNothing() {
        Logger log = (Logger) LoggerFactory.getLogger(RegistrarHealth.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            String a = SEL.substring(0, 39) + "A";
            String b = SEL.substring(0, 39) + "B";
            registrar.silent = true;
            h.engine.register(EngineHarness.record(a, "alice", "secret", registrar.udpPort(), Transport.UDP), Optional.empty());
            h.settle(() -> h.sent() == 1);
            h.advance(Duration.ofSeconds(32)); // a's Timer F: the outage is announced
            h.settle(() -> h.engine.stats().timeouts() == 1);
            assertThat(warnings(lines)).singleElement().asString().contains("is not answering");
            h.engine.register(EngineHarness.record(b, "alice", "secret", registrar.udpPort(), Transport.UDP), Optional.empty());
            h.settle(() -> h.sent() == 2); // sent while the registrar is down
            // it comes back, but b's request (and its retransmissions) was lost while it was down
            String bContact = RequestBuilder.contactUser(b);
            registrar.ignore = m -> String.valueOf(m.headers("contact")).contains(bContact);
            registrar.silent = false;
            h.advance(Duration.ofSeconds(10)); // a retries and is answered
            h.awaitState(a, REGISTERED);
            h.advance(Duration.ofSeconds(22)); // b's Timer F, after the registrar answered again
            h.settle(() -> h.engine.stats().timeouts() == 2);
            assertThat(h.stateOf(b)).isEqualTo(ERROR);
            assertThat(warnings(lines)).hasSize(1);
            assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.INFO).singleElement()
                    .extracting(ILoggingEvent::getFormattedMessage).asString().contains("answers again");
            registrar.ignore = m -> false;
            h.advance(Duration.ofSeconds(10)); // b's retry
            h.awaitState(b, REGISTERED);
            assertThat(warnings(lines)).hasSize(1);
        } finally {
            log.detachAppender(lines);
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> lines) {
        return lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
