package org.opensipis.push.apns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.InMemoryInstanceStore;
import org.opensipis.push.ProviderChange;
import org.opensipis.push.PushConfigException;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.PushPolicy;
import org.opensipis.push.TestCerts;

/**
 * A rotated APNs signing key at the same path (the XML unchanged) is picked up by a reload:
 * the mock APNs over TLS accepts only the current key, the push after the reload goes out with
 * the new key, and a reload with a broken key file is refused while pushes go on with the old.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApnsCredentialReloadTest {

    private static final String SELECTOR = "ABCDEF0123456789";

    @TempDir
    Path dir;
    private final AtomicReference<ApnsVerificationKey> accepted = new AtomicReference<>();
    private MockApns apns;
    private PushDispatcher dispatcher;

    /** Validates every notification against the key accepted right now (not the one at connect). */
    private PushNotificationHandlerFactory onlyCurrentKey() {
        return session -> (headers, payload) -> {
            ApnsVerificationKey k = accepted.get();
            new ValidatingPushNotificationHandlerFactory(Map.of(MockApns.BUNDLE, Set.of(MockApns.GOOD)), Map.of(),
                    Map.of(MockApns.KEY_ID, k), Map.of(k, Set.of(MockApns.BUNDLE, MockApns.BUNDLE + ".voip")))
                    .buildHandler(session).handlePushNotification(headers, payload);
        };
    }

    @BeforeEach
    void start() throws Exception {
        apns = new MockApns(dir, onlyCurrentKey());
    }

    @AfterEach
    void stop() throws Exception {
        if (dispatcher != null) {
            dispatcher.close();
        }
        apns.close();
    }

    private static ApnsVerificationKey writeKey(Path file, KeyPair pair) throws Exception {
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return new ApnsVerificationKey(MockApns.KEY_ID, MockApns.TEAM_ID, (ECPublicKey) pair.getPublic());
    }

    private PushOutcome push() throws Exception {
        DeviceToken t = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, MockApns.BUNDLE,
                MockApns.GOOD, Instant.now());
        return dispatcher.push(PushRequest.builder(SELECTOR, t, Verb.PUSH_TEST, Instant.now())
                .deadline(Instant.now().plusSeconds(20)).build()).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aRotatedKeyFileIsUsedAfterTheReloadAndABrokenOneIsRefused() throws Exception {
        PushRoute.Apns route = apns.route(apns.port);
        accepted.set(writeKey(apns.keyFile, TestCerts.ecKeyPair()));
        InMemoryInstanceStore store = new InMemoryInstanceStore();
        dispatcher = PushDispatcher.builder(List.of(route), store, r -> ApnsProvider.builder((PushRoute.Apns) r)
                        .trustedServerCertificates(apns.tls.cert).eventLoopGroup(apns.group)
                        .gracefulShutdown(Duration.ofMillis(100)).build())
                .policy(new PushPolicy(Duration.ofMillis(10), Duration.ofMillis(50), 1, 100, 50, Duration.ofSeconds(30)))
                .drainTimeout(Duration.ofSeconds(5))
                .build();
        assertThat(push().kind()).as("push with key A").isEqualTo(PushOutcome.Kind.ACCEPTED);

        // Key B replaces key A at the same path; the mock accepts only B from now on.
        KeyPair b = TestCerts.ecKeyPair();
        accepted.set(writeKey(apns.keyFile, b));
        assertThat(push().kind()).as("the running client still signs with A").isNotEqualTo(PushOutcome.Kind.ACCEPTED);

        ProviderChange change = dispatcher.prepare(List.of(route));
        assertThat(change.changes()).containsExactly(
                "entry 1 <Apns AppId=\"com.example\">: contents of KeyFile changed; new client");
        assertThat(change.toString()).doesNotContain("PRIVATE KEY");
        dispatcher.apply(change).get(10, TimeUnit.SECONDS);
        assertThat(push().kind()).as("push with key B after the reload").isEqualTo(PushOutcome.Kind.ACCEPTED);

        // Same XML, same file contents: nothing to do.
        assertThat(dispatcher.prepare(List.of(route)).isEmpty()).isTrue();

        // A broken key file: refused with the entry, the setting and the file named; B keeps working.
        Files.writeString(apns.keyFile, "not a key\n");
        assertThatThrownBy(() -> dispatcher.prepare(List.of(route)))
                .isInstanceOf(PushConfigException.class)
                .hasMessageContaining("NotificationServers entry 1")
                .hasMessageContaining("<Apns AppId=\"com.example\">")
                .hasMessageContaining("KeyFile=" + apns.keyFile);
        assertThat(push().kind()).as("old client after a refused reload").isEqualTo(PushOutcome.Kind.ACCEPTED);
    }
}
