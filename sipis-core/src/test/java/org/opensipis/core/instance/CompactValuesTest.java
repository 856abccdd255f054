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
}
