package org.opensipis.server.instances;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.testing.FakeClock;

/** Which published states reach the store: changes and CSeq checkpoints, not every refresh. */
class InstanceDirectoryPersistTest {

    private static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final InstanceDirectory directory = new InstanceDirectory(new FakeClock(T0));

    private static InstanceState state(RegistrationState st, String contact, String callId, long cseq) {
        return new InstanceState(SEL, "R", st, "", Optional.of(T0.plusSeconds(60 + cseq)), Optional.of(contact), callId,
                cseq, T0.plusSeconds(cseq));
    }

    private static InstanceState registered(long cseq) {
        return state(RegistrationState.REGISTERED, "<sip:a@127.0.0.1:5070>", "call-1", cseq);
    }

    @Test
    void plainRefreshesAreWrittenOnlyAtCseqCheckpoints() {
        SipAccount a = new SipAccount("alice", "alice", Secret.of("pw"), "127.0.0.1", Optional.empty(), 5060,
                SipAccount.Transport.UDP, "", Optional.empty());
        directory.put(new InstanceRecord(SEL, "com.example.app", false, a, Secret.of("app"), List.of(), T0, false),
                Optional.empty());
        assertThat(directory.update(state(RegistrationState.REGISTERING, "<sip:a@127.0.0.1:5070>", "call-1", 1))).isTrue();
        assertThat(directory.update(registered(2))).isTrue();          // the state changed
        assertThat(directory.update(registered(3))).isFalse();         // a refresh
        assertThat(directory.update(registered(2 + InstanceDirectory.CSEQ_CHECKPOINT - 1))).isFalse();
        assertThat(directory.update(registered(2 + InstanceDirectory.CSEQ_CHECKPOINT))).isTrue(); // checkpoint
        assertThat(directory.update(registered(3 + InstanceDirectory.CSEQ_CHECKPOINT))).isFalse();
        long c = 4 + InstanceDirectory.CSEQ_CHECKPOINT;
        assertThat(directory.update(state(RegistrationState.REGISTERED, "<sip:a@127.0.0.1:5071>", "call-1", c))).isTrue();
        assertThat(directory.update(state(RegistrationState.REGISTERED, "<sip:a@127.0.0.1:5071>", "call-2", 1))).isTrue();
        assertThat(directory.update(state(RegistrationState.ERROR, "<sip:a@127.0.0.1:5071>", "call-2", 2))).isTrue();
        assertThat(directory.update(state(RegistrationState.REGISTERED, "<sip:a@127.0.0.1:5071>", "call-2", 3))).isTrue();
        assertThat(directory.update(state(RegistrationState.REGISTERED, "<sip:a@127.0.0.1:5071>", "call-2", 4))).isFalse();
    }

    @Test
    void aStateOfAnUnknownInstanceIsWritten() {
        assertThat(directory.update(registered(5))).isTrue();
    }
}
