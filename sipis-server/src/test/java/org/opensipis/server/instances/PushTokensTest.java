package org.opensipis.server.instances;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;

/** An RFC 8599 token from the app's REGISTER replaces the stored one of its platform and kind. */
class PushTokensTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static DeviceToken token(DeviceToken.Platform p, DeviceToken.Kind k, String t) {
        return new DeviceToken(p, k, "com.example.app", t, T);
    }

    private static InstanceRecord record(DeviceToken... tokens) {
        SipAccount a = new SipAccount("u", "u", Secret.of("p"), "example.org", Optional.empty(), 0,
                SipAccount.Transport.UDP, "U", Optional.empty());
        return new InstanceRecord("AB", "com.example.app", false, a, Secret.of("s"), List.of(tokens), T, false);
    }

    @Test
    void replacesTheTokenOfThatPlatformAndKindOnly() {
        InstanceRecord r = record(token(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "old"),
                token(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, "alert"));
        InstanceRecord u = PushTokens.with(r, token(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "new"));
        assertThat(u.tokens()).extracting(DeviceToken::token).containsExactly("new", "alert");
        assertThat(PushTokens.with(u, token(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "new"))).isSameAs(u);
        assertThat(PushTokens.with(r, token(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, "f")).tokens()).hasSize(3);
    }
}
