package org.opensipis.core.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opensipis.core.settings.Secret;

/** The account, token and secret keep their text as bytes; what they give back is what they were given. */
class CompactValuesTest {

    private static SipAccount account(String user, String authUser, String display) {
        return new SipAccount(user, authUser, Secret.of("pässwörd"), "example.com", Optional.of("proxy.example.com"), 5060,
                SipAccount.Transport.UDP, display, Optional.of(Duration.ofSeconds(300)));
    }

    @Test
    void anAccountGivesBackItsTextAndComparesByValue() {
        SipAccount a = account("jürgen", "auth-ü", "Jürgen \"J\" Müller");
        assertThat(a.user()).isEqualTo("jürgen");
        assertThat(a.authUser()).isEqualTo("auth-ü");
        assertThat(a.displayName()).isEqualTo("Jürgen \"J\" Müller");
        assertThat(a.password().reveal()).isEqualTo("pässwörd");
        assertThat(a.aor()).isEqualTo("jürgen@example.com");
        assertThat(a).isEqualTo(account(new String("jürgen"), new String("auth-ü"), new String("Jürgen \"J\" Müller")))
                .hasSameHashCodeAs(account("jürgen", "auth-ü", "Jürgen \"J\" Müller"))
                .isNotEqualTo(account("jürgen", "jürgen", "Jürgen \"J\" Müller"))
                .isNotEqualTo(account("jürgen", "auth-ü", ""));
        assertThat(account("bob", "bob", "").displayName()).isEmpty();
        assertThat(account("bob", "bob", "bob").displayName()).isEqualTo("bob");
    }

    @Test
    void anAccountNeverPrintsItsPassword() {
        assertThat(account("bob", "bob", "").toString()).contains("user=bob").doesNotContain("pässwörd");
        assertThat(Secret.of("s3cret").toString()).isEqualTo(Secret.MASK);
        assertThat(Secret.of("")).hasToString("").matches(Secret::isEmpty);
        assertThat(Secret.of("ü")).isEqualTo(Secret.of(new String("ü"))).hasSameHashCodeAs(Secret.of("ü"));
    }

    @Test
    void aTokenGivesBackItsTextAndComparesByValue() {
        Instant t = Instant.parse("2026-12-03T04:00:00Z");
        DeviceToken a = new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, "com.example", "tok:én-123456789", t);
        assertThat(a.token()).isEqualTo("tok:én-123456789");
        assertThat(a.shortForm()).isEqualTo("FCM/OTHER/…23456789");
        assertThat(a).isEqualTo(new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, "com.example",
                new String("tok:én-123456789"), t)).hasSameHashCodeAs(new DeviceToken(DeviceToken.Platform.FCM,
                DeviceToken.Kind.OTHER, "com.example", "tok:én-123456789", t));
        assertThat(a).isNotEqualTo(new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, "com.example", "other", t));
        assertThat(a.toString()).doesNotContain("tok:én-1");
    }

    @Test
    void aRecordGivesBackItsTokensAsGiven() {
        Instant contact = Instant.parse("2026-12-03T04:00:00.123456Z");
        Instant older = Instant.parse("2026-11-30T23:59:59.999999999Z");
        String longToken = "f".repeat(300) + "é";   // a length over one varint byte, and UTF-8
        java.util.List<DeviceToken> tokens = java.util.List.of(
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.example", "voip-1", contact),
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, "com.example.other", longToken, older),
                new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, "com.example", "", Instant.EPOCH),
                new DeviceToken(DeviceToken.Platform.PNM, DeviceToken.Kind.INCOMING_CALL, "x", "pnm", contact.minusNanos(1)));
        InstanceRecord r = new InstanceRecord("AB", "com.example", false, account("bob", "bob", ""), Secret.of("s"), tokens,
                contact, false);
        assertThat(r.tokens()).containsExactlyElementsOf(tokens);
        assertThat(r.tokens().get(0).appId()).isSameAs(r.appId());
        assertThat(r.tokens().get(0).lastSeen()).isSameAs(r.lastAppContact());
        assertThat(r).isEqualTo(new InstanceRecord("AB", "com.example", false, account("bob", "bob", ""), Secret.of("s"),
                tokens, contact, false)).hasSameHashCodeAs(new InstanceRecord("AB", "com.example", false,
                account("bob", "bob", ""), Secret.of("s"), tokens, contact, false));
        assertThat(r).isNotEqualTo(new InstanceRecord("AB", "com.example", false, account("bob", "bob", ""), Secret.of("s"),
                tokens.subList(0, 3), contact, false));
        assertThat(new InstanceRecord("AB", "a", true, account("bob", "bob", ""), Secret.of("s"), java.util.List.of(),
                contact, true).tokens()).isEmpty();
        assertThat(r.toString()).contains("selector=AB").doesNotContain(longToken);
    }
}
