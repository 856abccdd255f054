package org.opensipis.core.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opensipis.core.settings.Secret;

class SharedPartsTest {

    private static InstanceRecord record(int i, String display, Instant contact, Instant seen) {
        // new String(...): every row read from a database brings its own copy of each value
        SipAccount a = new SipAccount("u" + i, new String("u" + i), Secret.of("pw-" + i), new String("example.com"),
                Optional.of(new String("proxy.example.com")), 5060, SipAccount.Transport.UDP, display,
                Optional.of(Duration.ofSeconds(300)));
        List<DeviceToken> tokens = List.of(
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, new String("com.example.app"),
                        "voip-" + i, seen),
                new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, new String("com.example.other"),
                        "other-" + i, Instant.EPOCH));
        return new InstanceRecord("SEL" + i, new String("com.example.app"), false, a, Secret.of("app-" + i), tokens,
                contact, false);
    }

    @Test
    void compactRecordsAreEqualAndShareTheirRepeatedParts() {
        SharedParts shared = new SharedParts();
        Instant t = Instant.parse("2026-12-02T10:00:00Z");
        InstanceRecord r1 = record(1, "u1", t, Instant.parse("2026-12-02T10:00:00Z"));
        InstanceRecord r2 = record(2, "Bob", t, Instant.parse("2026-12-02T10:00:00Z"));
        InstanceRecord c1 = shared.compact(r1);
        InstanceRecord c2 = shared.compact(r2);

        assertThat(c1).isEqualTo(r1);
        assertThat(c2).isEqualTo(r2);
        assertThat(c2.appId()).isSameAs(c1.appId());
        assertThat(c2.account().domain()).isSameAs(c1.account().domain());
        assertThat(c2.account().proxy()).isSameAs(c1.account().proxy());
        assertThat(c2.account().expires()).isSameAs(c1.account().expires());
        assertThat(c1.account().authUser()).isEqualTo("u1");
        assertThat(c1.account().displayName()).isEqualTo("u1");
        assertThat(c2.account().displayName()).isEqualTo("Bob");
        assertThat(c1.tokens().get(0).appId()).isSameAs(c1.appId());
        assertThat(c2.tokens().get(1).appId()).isEqualTo("com.example.other");
        assertThat(c1.tokens().get(0).lastSeen()).isSameAs(c1.lastAppContact());
        assertThat(c1.tokens().get(1).lastSeen()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void sharesAtMostABoundedNumberOfValues() {
        SharedParts shared = new SharedParts();
        for (int i = 0; i < SharedParts.MAX_VALUES + 100; i++) {
            String v = "domain-" + i + ".example";
            assertThat(shared.share(new String(v))).isEqualTo(v);
        }
        assertThat(shared.size()).isEqualTo(SharedParts.MAX_VALUES);
        String late = "late.example";
        String mine = new String(late);
        assertThat(shared.share(mine)).isSameAs(mine);
        assertThat(shared.size()).isEqualTo(SharedParts.MAX_VALUES);
    }

    @Test
    void anEmptyDisplayNameAndNoTokensStayAsTheyAre() {
        SharedParts shared = new SharedParts();
        SipAccount a = new SipAccount("alice", "auth", Secret.of("pw"), "example.com", Optional.empty(), 0,
                SipAccount.Transport.TLS, new String(""), Optional.empty());
        InstanceRecord r = new InstanceRecord("S", "app", true, a, Secret.of("s"), List.of(), Instant.EPOCH, true);
        InstanceRecord c = shared.compact(r);
        assertThat(c).isEqualTo(r);
        assertThat(c.account().displayName()).isSameAs("");
        assertThat(c.account().authUser()).isEqualTo("auth");
    }
}
