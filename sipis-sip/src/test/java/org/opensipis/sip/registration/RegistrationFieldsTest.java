package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SharedParts;
import org.junit.jupiter.api.Test;
import org.opensipis.sip.testing.EngineHarness;

/** The compact fields of one instance give back exactly what was put in. */
class RegistrationFieldsTest {

    private static final String SEL = "0A1B2C3D000000000000000000000000000000AB:0000000F";

    private static Registration reg(String callId) {
        return new Registration(SEL, null, EngineHarness.record(SEL, "u", "pw", 5060,
                org.opensipis.core.instance.SipAccount.Transport.UDP), callId, 7);
    }

    @Test
    void callIdsOfOurFormAndOthersComeBackTheSame() {
        for (String id : new String[] {"00ff00000000000000000a1b@sipis", "ffffffffffffffffffffffff@sipis",
                "000000000000000000000000@sipis", "0123456789abcdef01234567@sipis", "0123456789ABCDEF01234567@sipis",
                "abc@sipis", "x0123456789abcdef0123456@sipis", "0123456789abcdef01234567@other", "a-b-c@host", ""}) {
            assertThat(reg(id).callId()).isEqualTo(id);
        }
        assertThat(Registration.ours("0123456789abcdef01234567@sipis")).isTrue();
        assertThat(Registration.ours("0123456789ABCDEF01234567@sipis")).isFalse();
    }

    @Test
    void contactsOfOurFormShareTheirTailAndOthersAreKeptWhole() {
        SharedParts tails = new SharedParts();
        Registration a = reg("abc@sipis");
        Registration b = new Registration("FF:01", null, a.record, "def@sipis", 0);
        String ours = RequestBuilder.contactUri(SEL, "127.0.0.1", 5070, org.opensipis.core.instance.SipAccount.Transport.TCP);
        a.contact(ours, tails);
        b.contact(RequestBuilder.contactUri("FF:01", "127.0.0.1", 5070, org.opensipis.core.instance.SipAccount.Transport.TCP),
                tails);
        assertThat(a.contact()).isEqualTo(ours);
        assertThat(a.contactOther()).isNull();
        assertThat(a.contactTail()).isSameAs(b.contactTail()).isEqualTo("127.0.0.1:5070;transport=tcp");
        assertThat(b.contact()).isEqualTo("sip:sFF-01@127.0.0.1:5070;transport=tcp");

        a.contact("sip:someone@else.example", tails);
        assertThat(a.contact()).isEqualTo("sip:someone@else.example");
        assertThat(a.contactTail()).isNull();
        a.contact("sip:s" + SEL.replace(':', '-') + "@", tails); // the head alone is not our form
        assertThat(a.contact()).isEqualTo("sip:s" + SEL.replace(':', '-') + "@");
        a.contact(null, tails);
        assertThat(a.contact()).isNull();
    }

    @Test
    void aPublishedStateGivesBackTheStateItWasMadeOf() {
        Instant at = Instant.parse("2026-12-02T10:00:00.123456789Z");
        String contact = "sip:s" + SEL.replace(':', '-') + "@127.0.0.1:5070";
        Published p = Published.of(RegistrationState.REGISTERED, "", 1_800_000_000_000L, "127.0.0.1:5070", null, 42, at);
        assertThat(p.toState(SEL, "srv", "abc@sipis")).isEqualTo(new InstanceState(SEL, "srv", RegistrationState.REGISTERED,
                "", Optional.of(Instant.ofEpochMilli(1_800_000_000_000L)), Optional.of(contact), "abc@sipis", 42, at));
        Published none = Published.of(RegistrationState.ERROR, "timeout", 0, null, null, 3, at);
        assertThat(none.toState(SEL, "srv", "abc@sipis")).isEqualTo(new InstanceState(SEL, "srv", RegistrationState.ERROR,
                "timeout", Optional.empty(), Optional.empty(), "abc@sipis", 3, at));
    }

    @Test
    void holdsAreIndependentBits() {
        Registration r = reg("abc@sipis");
        r.hold(Registration.Hold.IDLE);
        r.hold(Registration.Hold.DISABLED);
        assertThat(r.idle()).isTrue();
        assertThat(r.disabled()).isTrue();
        assertThat(r.removed()).isFalse();
        r.release(Registration.Hold.IDLE);
        assertThat(r.idle()).isFalse();
        assertThat(r.disabled()).isTrue();
        assertThat(r.leaving()).isFalse();
        r.hold(Registration.Hold.REMOVED);
        assertThat(r.leaving()).isTrue();
    }
}
