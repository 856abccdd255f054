package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.RegistrationState.REGISTERED;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;

/** The register gate (a lease): nothing is sent while it says no, registering resumes when it says yes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegisterGateTest {

    private static final String SEL = "4A869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    private FakeRegistrar registrar;
    private EngineHarness h;
    private final AtomicBoolean held = new AtomicBoolean(false);

    @BeforeEach
    void setUp() throws Exception {
        registrar = new FakeRegistrar();
        registrar.addUser("alice", "secret");
        registrar.maxExpires = 600;
        h = new EngineHarness(EngineHarness.settings());
        h.engine.setRegisterGate(s -> held.get());
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
        registrar.close();
    }

    private List<SipMessage> registers() {
        return registrar.received.stream().filter(m -> "REGISTER".equals(m.method())).toList();
    }

    @Test
    void registersOnlyWhileTheGateSaysSoAndRefreshesStopWhenItCloses() {
        h.engine.register(EngineHarness.record(SEL, "alice", "secret", registrar.udpPort(), Transport.UDP), Optional.empty());
        h.advance(Duration.ofSeconds(5));
        assertThat(h.sent()).isZero();

        held.set(true);
        h.advance(Duration.ofSeconds(2));
        h.awaitState(SEL, REGISTERED);
        int afterRegister = registers().size();

        // the lease is lost before the refresh is due: the refresh is not sent
        held.set(false);
        h.advance(Duration.ofSeconds(400));
        assertThat(registers()).hasSize(afterRegister);

        // and resumes within a second of the lease coming back
        held.set(true);
        h.advance(Duration.ofSeconds(2));
        h.settle(() -> registers().size() > afterRegister && h.engine.stats().inFlight() == 0);
        assertThat(h.stateOf(SEL)).isEqualTo(REGISTERED);
    }
}
