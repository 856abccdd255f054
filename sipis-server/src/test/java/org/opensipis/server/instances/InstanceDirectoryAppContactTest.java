package org.opensipis.server.instances;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.testing.FakeClock;

/** Contact from the app through the app leg restarts the age /stats shows, as an HTTP registration does. */
class InstanceDirectoryAppContactTest {

    private static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final FakeClock clock = new FakeClock(T0);
    private final InstanceDirectory directory = new InstanceDirectory(clock);

    private static InstanceRecord record(Instant lastAppContact) {
        SipAccount a = new SipAccount("alice", "alice", Secret.of("pw"), "127.0.0.1", Optional.empty(), 5060,
                SipAccount.Transport.UDP, "", Optional.empty());
        return new InstanceRecord(SEL, "com.example.app", false, a, Secret.of("app"), List.of(), lastAppContact, false);
    }

    private Duration age() {
        return directory.page("", 0, 1).rows().get(0).age();
    }

    @Test
    void anAppLegContactRestartsTheAgeAndReachesTheStoreAtMostEveryPeriod() {
        directory.put(record(T0), Optional.empty());
        clock.advance(Duration.ofHours(5));
        assertThat(age()).isEqualTo(Duration.ofHours(5));

        assertThat(directory.appContact(SEL, clock.instant(), Duration.ofMinutes(5))).isTrue();
        assertThat(age()).isZero();
        assertThat(directory.record(SEL).orElseThrow().lastAppContact()).isEqualTo(clock.instant());

        clock.advance(Duration.ofMinutes(1));
        assertThat(directory.appContact(SEL, clock.instant(), Duration.ofMinutes(5))).isFalse(); // age still restarts
        assertThat(age()).isZero();
        clock.advance(Duration.ofMinutes(4));
        assertThat(directory.appContact(SEL, clock.instant(), Duration.ofMinutes(5))).isTrue();
    }

    @Test
    void anOlderStoredRegistrationDoesNotUndoAnAppLegContact() {
        directory.put(record(T0), Optional.empty());
        clock.advance(Duration.ofHours(1));
        directory.appContact(SEL, clock.instant(), Duration.ofMinutes(5));
        directory.put(record(T0), Optional.empty()); // e.g. the safety-net poll re-reads the row
        assertThat(directory.record(SEL).orElseThrow().lastAppContact()).isEqualTo(clock.instant());
        assertThat(directory.appContact("0000000000000000000000000000000000000000:00000000", clock.instant(),
                Duration.ofMinutes(5))).isFalse();
    }

    /** A later record of the instance, built on the directory's key, keeps no second copy of the selector. */
    @Test
    void aLaterRecordSharesTheSelectorStringTheDirectoryKeysBy() {
        InstanceRecord first = record(T0);
        directory.put(first, Optional.empty());
        String copy = new String(SEL);
        assertThat(directory.keyOf(copy)).isSameAs(first.selector());
        assertThat(directory.keyOf("ABCD")).isEqualTo("ABCD");
        InstanceRecord later = new org.opensipis.core.instance.SharedParts().compact(
                new InstanceRecord(copy, "com.example.app", false, first.account(), Secret.of("app"), List.of(),
                        T0.plusSeconds(1), false), directory.keyOf(copy));
        assertThat(later.selector()).isSameAs(first.selector());
        directory.put(later, Optional.empty());
        assertThat(directory.record(SEL).orElseThrow().selector()).isSameAs(first.selector());
    }

    /** What the coordinator asks before adopting a change again: is the held record the same? */
    @Test
    void aRecordDeliveredAgainUnchangedIsRecognised() {
        assertThat(directory.holdsEqual(record(T0))).isFalse();
        directory.put(record(T0), Optional.empty());
        assertThat(directory.holdsEqual(record(T0))).isTrue(); // another copy, equal
        assertThat(directory.holdsEqual(record(T0.plusSeconds(1)))).isFalse();
        directory.appContact(SEL, T0.plusSeconds(60), Duration.ofMinutes(5));
        assertThat(directory.holdsEqual(record(T0))).isFalse(); // the app leg moved it on
    }
}
