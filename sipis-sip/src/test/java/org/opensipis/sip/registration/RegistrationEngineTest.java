package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.RegistrationState.ERROR;
import static org.opensipis.core.instance.RegistrationState.IDLE;
import static org.opensipis.core.instance.RegistrationState.OFF;
import static org.opensipis.core.instance.RegistrationState.REGISTERED;
import static org.opensipis.core.instance.RegistrationState.UNAUTHORIZED;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;

/** The engine against the scriptable fake registrar on loopback, time driven by a fake clock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistrationEngineTest {

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

    private InstanceRecord alice(Transport t) {
        return EngineHarness.record(SEL, "alice", "secret", t == Transport.UDP ? registrar.udpPort() : registrar.tcpPort(), t);
    }

    private long distinctCseqs() {
        return registers().stream().mapToLong(SipMessage::cseq).distinct().count();
    }

    private List<SipMessage> registers() {
        return registrar.received.stream().filter(m -> "REGISTER".equals(m.method())).toList();
    }

    @ParameterizedTest
    @CsvSource({"UDP", "TCP"})
    void registersWithDigestThenRefreshesAtTheConfiguredShareWithoutAChallenge(Transport t) {
        h.engine.register(alice(t), Optional.empty());
        h.awaitState(SEL, REGISTERED);

        List<SipMessage> regs = registers();
        assertThat(regs).hasSize(2);
        SipMessage first = regs.get(0);
        SipMessage second = regs.get(1);
        assertThat(first.header("authorization")).isEmpty();
        assertThat(second.header("authorization").orElseThrow()).contains("qop=auth", "nc=00000001", "cnonce=\"");
        assertThat(second.callId()).isEqualTo(first.callId());
        assertThat(second.cseq()).isEqualTo(first.cseq() + 1);
        assertThat(first.header("user-agent")).contains("SIPIS-test/1.0");
        assertThat(first.header("contact").orElseThrow()).contains("<sip:s12869E0E6E553673C54F29105A0647204C416A2A-7C3A0D14@127.0.0.1:");
        if (t == Transport.TCP) {
            assertThat(first.header("contact").orElseThrow()).contains(";transport=tcp");
        }
        InstanceState s = h.engine.state(SEL).orElseThrow();
        assertThat(s.registeredUntil()).contains(h.clock.instant().plusSeconds(600));
        assertThat(h.engine.selectorOfContactUser("s12869E0E6E553673C54F29105A0647204C416A2A-7C3A0D14")).contains(SEL);

        long before = h.sent();
        h.advance(Duration.ofSeconds(299));
        assertThat(h.sent()).isEqualTo(before);
        h.advance(Duration.ofSeconds(2));
        h.settle(() -> distinctCseqs() == 3 && h.engine.stats().inFlight() == 0);
        SipMessage refresh = registers().get(registers().size() - 1);
        assertThat(refresh.header("authorization").orElseThrow()).contains("nc=00000002");
        assertThat(refresh.callId()).isEqualTo(first.callId());
        assertThat(refresh.cseq()).isEqualTo(second.cseq() + 1);
        assertThat(h.stateOf(SEL)).isEqualTo(REGISTERED);
    }

    @ParameterizedTest
    @CsvSource({"SHA-256,auth", "MD5-sess,auth", "MD5,auth-int", "MD5,", "SHA-256-sess,auth"})
    void answersEveryDigestVariant(String algorithm, String qop) {
        registrar.algorithm = algorithm;
        registrar.qop = qop;
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        assertThat(registers().get(1).header("authorization").orElseThrow()).contains("algorithm=" + algorithm);
    }

    @Test
    void intervalTooBriefUsesMinExpires() {
        registrar.minExpires = 1800;
        registrar.maxExpires = 7200;
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        assertThat(registers().get(registers().size() - 1).header("expires")).contains("1800");
        assertThat(h.engine.state(SEL).orElseThrow().registeredUntil()).contains(h.clock.instant().plusSeconds(1800));
    }

    @Test
    void serviceUnavailableHonoursRetryAfter() {
        registrar.script.add(req -> FakeRegistrar.response(req, 503, "Service Unavailable", "Retry-After: 120\r\n"));
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, ERROR);
        assertThat(h.engine.state(SEL).orElseThrow().reason()).isEqualTo("503 Service Unavailable");
        h.advance(Duration.ofSeconds(119));
        assertThat(h.sent()).isEqualTo(1);
        h.advance(Duration.ofSeconds(2));
        h.awaitState(SEL, REGISTERED);
    }

    @Test
    void forbiddenIsUnauthorizedAndRetriesWithBackoffUpToTheCap() {
        registrar.addUser("alice", "other");
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, UNAUTHORIZED);
        assertThat(h.engine.state(SEL).orElseThrow().reason()).isEqualTo("403 Forbidden");
        // auth backoff: 60, 120, 240, 240 (cap). Each attempt: REGISTER (preemptive) -> 401? no: preemptive -> 403.
        long[] waits = {60, 120, 240, 240};
        for (long w : waits) {
            long before = h.sent();
            h.advance(Duration.ofSeconds(w - 1));
            assertThat(h.sent()).as("no retry before %d s", w).isEqualTo(before);
            h.advance(Duration.ofSeconds(1));
            h.settle(() -> h.engine.stats().inFlight() == 0 && h.sent() > before);
            h.settle(() -> h.engine.stats().inFlight() == 0);
            assertThat(h.stateOf(SEL)).isEqualTo(UNAUTHORIZED);
        }
        registrar.addUser("alice", "secret");
        h.advance(Duration.ofSeconds(240));
        h.awaitState(SEL, REGISTERED);
    }

    @Test
    void repeatedChallengeAfterOurAnswerIsUnauthorized() {
        registrar.challenge = true;
        for (int i = 0; i < 3; i++) {
            registrar.script.add(req -> FakeRegistrar.response(req, 401, "Unauthorized",
                    "WWW-Authenticate: Digest realm=\"fake.test\", nonce=\"abc\", qop=\"auth\"\r\n"));
        }
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, UNAUTHORIZED);
        assertThat(h.engine.state(SEL).orElseThrow().reason()).isEqualTo("401 Unauthorized (credentials refused)");
        assertThat(h.sent()).isEqualTo(2);
    }

    @Test
    void otherClientErrorIsFatalErrorWithItsOwnBackoff() {
        registrar.script.add(req -> FakeRegistrar.response(req, 404, "Not Found", ""));
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, ERROR);
        assertThat(h.engine.state(SEL).orElseThrow().reason()).isEqualTo("404 Not Found");
        h.advance(Duration.ofSeconds(299));
        assertThat(h.sent()).isEqualTo(1);
        h.advance(Duration.ofSeconds(1));
        h.awaitState(SEL, REGISTERED);
    }

    @Test
    void noAnswerRetransmitsThenTimesOutAndRetriesAsTransient() {
        for (int i = 0; i < 11; i++) {
            registrar.script.add(req -> null);
        }
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.settle(() -> registrar.registers() == 1);
        h.advance(Duration.ofMillis(31_900));
        h.settle(() -> registrar.registers() == 11);
        assertThat(h.engine.stats().retransmissions()).isEqualTo(10);
        h.advance(Duration.ofMillis(100));
        h.awaitState(SEL, ERROR);
        assertThat(h.engine.state(SEL).orElseThrow().reason()).startsWith("timeout");
        h.advance(Duration.ofSeconds(10));
        h.awaitState(SEL, REGISTERED);
    }

    @Test
    void slowAnswerArrivesAfterRetransmissions() {
        registrar.script.add(req -> null);
        registrar.script.add(req -> null);
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.settle(() -> registrar.registers() == 1);
        h.advance(Duration.ofMillis(500));
        h.settle(() -> registrar.registers() == 2);
        h.advance(Duration.ofMillis(1000));
        h.awaitState(SEL, REGISTERED);
        assertThat(h.engine.stats().retransmissions()).isEqualTo(2);
        assertThat(h.engine.stats().timeouts()).isZero();
    }

    @Test
    void staleNonceIsAnsweredAgainNotUnauthorized() {
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        registrar.expireNonce();
        h.advance(Duration.ofSeconds(300));
        Instant firstUntil = h.engine.state(SEL).orElseThrow().registeredUntil().orElseThrow();
        h.settle(() -> h.engine.stats().inFlight() == 0
                && h.engine.state(SEL).orElseThrow().registeredUntil().orElseThrow().isAfter(firstUntil));
        assertThat(registers().stream().mapToLong(SipMessage::cseq).distinct().count()).isEqualTo(4);
        assertThat(h.stateOf(SEL)).isEqualTo(REGISTERED);
        assertThat(h.engine.stats().responsesByCode()).containsEntry(401, 2L);
    }

    @Test
    void restoreContinuesCallIdAndCseq() {
        InstanceState previous = new InstanceState(SEL, "test-server", REGISTERED, "", Optional.empty(), Optional.empty(),
                "restored-call-id@sipis", 41, Instant.parse("2025-12-31T00:00:00Z"));
        h.engine.register(alice(Transport.UDP), Optional.of(previous));
        h.awaitState(SEL, REGISTERED);
        assertThat(registers().get(0).callId()).isEqualTo("restored-call-id@sipis");
        // the stored CSeq may lag what reached the registrar (lost answers, write-behind at a crash): jump ahead,
        // to a multiple of the listener's step, so that the first REGISTER of this life is told to the store
        long first = registers().get(0).cseq();
        assertThat(first).isGreaterThan(41 + RegistrationEngine.RESTART_CSEQ_GAP)
                .isEqualTo(1100).isEqualTo(RegistrationEngine.restartCseq(41) + 1);
        assertThat(h.engine.state(SEL).orElseThrow().cseq()).isEqualTo(first + 1);
        assertThat(h.states.get(h.states.size() - 1).cseq()).isEqualTo(first + 1);
    }

    /**
     * A refresh that changes nothing but the expiry is not told to the listener until its CSeq
     * reaches the next multiple of the step; the engine's own state is always current.
     */
    @Test
    void plainRefreshesAreToldOnlyAtCseqSteps() {
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        int told = h.states.size();
        long cseq = h.engine.state(SEL).orElseThrow().cseq();
        Instant until = h.engine.state(SEL).orElseThrow().registeredUntil().orElseThrow();
        h.advance(Duration.ofSeconds(300));
        h.settle(() -> h.engine.stats().inFlight() == 0 && h.engine.state(SEL).orElseThrow().cseq() > cseq);
        assertThat(h.engine.state(SEL).orElseThrow().registeredUntil().orElseThrow()).isAfter(until);
        long now = h.engine.state(SEL).orElseThrow().cseq();
        boolean stepReached = Math.floorDiv(now, RegistrationListener.REFRESH_CSEQ_STEP)
                != Math.floorDiv(cseq, RegistrationListener.REFRESH_CSEQ_STEP);
        assertThat(h.states.size()).isEqualTo(stepReached ? told + 1 : told);
        for (int i = 0; i < 120 && Math.floorDiv(h.engine.state(SEL).orElseThrow().cseq(), RegistrationListener.REFRESH_CSEQ_STEP)
                == Math.floorDiv(now, RegistrationListener.REFRESH_CSEQ_STEP); i++) {
            long before = h.engine.state(SEL).orElseThrow().cseq();
            h.advance(Duration.ofSeconds(300));
            h.settle(() -> h.engine.stats().inFlight() == 0 && h.engine.state(SEL).orElseThrow().cseq() > before);
        }
        InstanceState last = h.states.get(h.states.size() - 1);
        assertThat(last.cseq() % RegistrationListener.REFRESH_CSEQ_STEP).isLessThan(2);
        assertThat(last.state()).isEqualTo(REGISTERED);
        assertThat(h.states.size()).isLessThanOrEqualTo(told + 2);
    }

    @Test
    void anAccountMovedToAnotherAorRemovesTheOldBindingFirst() {
        registrar.addUser("bob", "secret");
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        assertThat(registrar.bindings.keySet()).singleElement().asString().startsWith("alice|");

        h.engine.register(EngineHarness.record(SEL, "bob", "secret", registrar.udpPort(), Transport.UDP), Optional.empty());
        h.settle(() -> registrar.bindings.keySet().stream().anyMatch(k -> k.startsWith("bob|")));
        h.awaitState(SEL, REGISTERED);
        assertThat(registrar.bindings.keySet()).singleElement().asString().startsWith("bob|");
        List<SipMessage> all = registers();
        SipMessage removal = all.stream().filter(m -> m.header("expires").orElse("").equals("0")).findFirst().orElseThrow();
        assertThat(removal.header("to").orElseThrow()).contains("alice@");
        assertThat(all.indexOf(removal)).isLessThan(all.indexOf(all.stream()
                .filter(m -> m.header("to").orElse("").contains("bob@")).findFirst().orElseThrow()));
        assertThat(all.stream().mapToLong(SipMessage::cseq).toArray()).isSorted();
    }

    @Test
    void aNewPasswordForTheSameAorJustRegistersAgain() {
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        int before = registers().size();
        registrar.addUser("alice", "changed");
        h.engine.register(EngineHarness.record(SEL, "alice", "changed", registrar.udpPort(), Transport.UDP), Optional.empty());
        h.settle(() -> registers().size() > before && h.stateOf(SEL) == REGISTERED);
        assertThat(registers().subList(before, registers().size()))
                .noneMatch(m -> m.header("expires").orElse("").equals("0"));
        assertThat(registrar.bindings).hasSize(1);
    }

    @Test
    void setIdleRightAfterRegisterIsNotLostWhileTheRegisterIsStillQueued() {
        // adoption queues register() on the owner; the app connects and setIdle() comes before it ran
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.engine.setIdle(SEL);
        h.awaitState(SEL, IDLE);
        h.advance(Duration.ofMinutes(5)); // no refresh brings the binding back
        assertThat(h.stateOf(SEL)).isEqualTo(IDLE);
        assertThat(registrar.bindings).isEmpty();
    }

    @Test
    void idleUnregistersAndRemoveEndsOff() {
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        assertThat(registrar.bindings).hasSize(1);
        h.engine.setIdle(SEL);
        h.awaitState(SEL, IDLE);
        assertThat(registrar.bindings).isEmpty();
        assertThat(registers().get(registers().size() - 1).header("expires")).contains("0");
        h.advance(Duration.ofHours(1));
        assertThat(h.stateOf(SEL)).isEqualTo(IDLE);

        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        var done = h.engine.remove(SEL);
        h.settle(done::isDone);
        assertThat(registrar.bindings).isEmpty();
        assertThat(h.states.get(h.states.size() - 1).state()).isEqualTo(OFF);
        assertThat(h.engine.state(SEL)).isEmpty();
    }

    @Test
    void backgroundAgainWhileTheUnregisterIsInFlightRegistersAgain() {
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        int before = registers().size();
        // The app comes to the foreground and leaves it again before the Expires 0 is answered:
        // both calls are queued on the owner, so the second finds the unregistration under way.
        h.engine.setIdle(SEL);
        h.engine.register(alice(Transport.UDP), Optional.empty());
        h.settle(() -> registers().size() >= before + 2 && h.engine.stats().inFlight() == 0
                && registrar.bindings.size() == 1);
        assertThat(h.stateOf(SEL)).isEqualTo(REGISTERED);
        assertThat(registers().get(before).header("expires")).contains("0");
        assertThat(registers().get(registers().size() - 1).header("expires")).contains("600");
        assertThat(registrar.bindings).hasSize(1);
        assertThat(h.states).extracting(InstanceState::state).doesNotContain(IDLE);
    }

    @Test
    void closedTcpFlowLeadsToReRegistration() throws Exception {
        h.engine.register(alice(Transport.TCP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        int before = registers().size();
        registrar.connections.get(0).close();
        h.settle(() -> registers().size() == before + 1 && h.engine.stats().inFlight() == 0);
        assertThat(h.stateOf(SEL)).isEqualTo(REGISTERED);
        assertThat(registrar.connections).hasSize(2);
    }
}
