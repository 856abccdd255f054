package org.opensipis.push.apns;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.push.InMemoryInstanceStore;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.PushPolicy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApnsProviderTest {

    private static final String SELECTOR = "ABCDEF0123456789";

    @TempDir
    static Path dir;
    static MockApns apns;
    static ApnsProvider provider;

    @BeforeAll
    static void start() throws Exception {
        apns = new MockApns(dir);
        provider = apns.provider(apns.port);
    }

    @AfterAll
    static void stop() throws Exception {
        provider.close().get();
        apns.close();
    }

    private static DeviceToken token(DeviceToken.Kind kind, String token) {
        return new DeviceToken(DeviceToken.Platform.APNS, kind, MockApns.BUNDLE, token, Instant.now());
    }

    private static PushRequest request(DeviceToken target, Verb verb) {
        return PushRequest.builder(SELECTOR, target, verb, Instant.now()).callId("call-1@example.org")
                .callerName("Bob").callerUri("sip:bob@example.org").deadline(Instant.now().plusSeconds(20)).build();
    }

    private static InMemoryInstanceStore storeWith(DeviceToken... tokens) {
        InMemoryInstanceStore store = new InMemoryInstanceStore();
        store.put(InMemoryInstanceStore.record(SELECTOR, MockApns.BUNDLE, Instant.now(), tokens));
        return store;
    }

    private static PushDispatcher dispatcher(InMemoryInstanceStore store, ApnsProvider p) {
        return PushDispatcher.builder(List.of(apns.route(apns.port)), store, route -> new Unclosed(p))
                .policy(new PushPolicy(Duration.ofMillis(10), Duration.ofMillis(50), 3, 100, 50, Duration.ofSeconds(30)))
                .build();
    }

    @Test
    void incomingCallGoesAsVoipPushAndIsAccepted() throws Exception {
        DeviceToken voip = token(DeviceToken.Kind.INCOMING_CALL, MockApns.GOOD_VOIP);
        InMemoryInstanceStore store = storeWith(voip);
        try (PushDispatcher d = dispatcher(store, provider)) {
            PushOutcome o = d.push(request(voip, Verb.INCOMING_CALL)).get();
            assertThat(o.kind()).isEqualTo(PushOutcome.Kind.ACCEPTED);
        }
        assertThat(store.removedTokens).isEmpty();
    }

    @Test
    void alertPushToTheOtherTokenIsAccepted() throws Exception {
        DeviceToken other = token(DeviceToken.Kind.OTHER, MockApns.GOOD);
        try (PushDispatcher d = dispatcher(storeWith(other), provider)) {
            assertThat(d.push(request(other, Verb.MISSED_CALL)).get().accepted()).isTrue();
            assertThat(d.push(request(other, Verb.ABOUT_TO_EXPIRE_SILENT)).get().accepted()).isTrue();
        }
    }

    @Test
    void unregisteredTokenIsRejectedAndRemoved() throws Exception {
        DeviceToken gone = token(DeviceToken.Kind.OTHER, MockApns.GONE);
        DeviceToken voip = token(DeviceToken.Kind.INCOMING_CALL, MockApns.GOOD_VOIP);
        InMemoryInstanceStore store = storeWith(gone, voip);
        try (PushDispatcher d = dispatcher(store, provider)) {
            PushOutcome o = d.push(request(gone, Verb.TEXT_MESSAGE)).get();
            assertThat(o).isInstanceOfSatisfying(PushOutcome.Rejected.class, r -> {
                assertThat(r.reason()).isEqualTo("Unregistered");
                assertThat(r.permanentTokenError()).isTrue();
                assertThat(r.invalidSince()).isPresent();
            });
        }
        assertThat(store.get(SELECTOR).orElseThrow().tokens()).containsExactly(voip);
        assertThat(store.deleted).isEmpty();
    }

    @Test
    void tokenNotForTopicIsRemovedAndTheEmptyInstanceDeleted() throws Exception {
        DeviceToken wrong = token(DeviceToken.Kind.OTHER, MockApns.NOT_FOR_TOPIC);
        InMemoryInstanceStore store = storeWith(wrong);
        try (PushDispatcher d = dispatcher(store, provider)) {
            PushOutcome o = d.push(request(wrong, Verb.PUSH_TEST)).get();
            assertThat(o).isEqualTo(PushOutcome.Rejected.deadToken("DeviceTokenNotForTopic", Optional.empty()));
        }
        assertThat(store.removedTokens).containsExactly(MockApns.NOT_FOR_TOPIC);
        assertThat(store.get(SELECTOR)).isEmpty();
        assertThat(store.deleted).containsExactly(SELECTOR);
    }

    @Test
    void serverDownIsRetriedThenReportedAsTransientFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        DeviceToken voip = token(DeviceToken.Kind.INCOMING_CALL, MockApns.GOOD_VOIP);
        InMemoryInstanceStore store = storeWith(voip);
        ApnsProvider down = apns.provider(closedPort);
        try (PushDispatcher d = dispatcher(store, down)) {
            PushOutcome o = d.push(request(voip, Verb.INCOMING_CALL)).get();
            assertThat(o).isInstanceOfSatisfying(PushOutcome.Failed.class, f -> {
                assertThat(f.transientError()).isTrue();
                assertThat(f.attempts()).isEqualTo(3);
                assertThat(f.cause()).contains("APNs unreachable");
            });
        } finally {
            down.close().get();
        }
        assertThat(store.removedTokens).isEmpty();
    }

    @Test
    void notificationShapes() {
        ApnsNotifications n = new ApnsNotifications(Optional.of(MockApns.BUNDLE));
        PushRequest call = request(token(DeviceToken.Kind.INCOMING_CALL, MockApns.GOOD_VOIP), Verb.INCOMING_CALL);
        SimpleApnsPushNotification voip = n.build(call);
        assertThat(voip.getTopic()).isEqualTo("com.example.app.voip");
        assertThat(voip.getPushType()).isEqualTo(PushType.VOIP);
        assertThat(voip.getPriority()).isEqualTo(DeliveryPriority.IMMEDIATE);
        assertThat(voip.getExpiration()).isEqualTo(call.sendTime().plusSeconds(30));
        assertThat(voip.getPayload()).contains("\"s\":\"" + SELECTOR + "\"", "\"type\":\"incoming-call\"",
                "\"callId\":\"call-1@example.org\"", "\"callerName\":\"Bob\"", "\"sendTime\":\"");

        SimpleApnsPushNotification warn = n.build(request(token(DeviceToken.Kind.OTHER, MockApns.GOOD),
                Verb.ABOUT_TO_EXPIRE_INTRUSIVE));
        assertThat(warn.getTopic()).isEqualTo("com.example.app");
        assertThat(warn.getPushType()).isEqualTo(PushType.ALERT);
        assertThat(warn.getCollapseId()).isEqualTo("sipis-expiry");
        assertThat(warn.getPayload()).contains("\"alert\"");

        SimpleApnsPushNotification silent = n.build(request(token(DeviceToken.Kind.OTHER, MockApns.GOOD),
                Verb.ABOUT_TO_EXPIRE_SILENT));
        assertThat(silent.getPushType()).isEqualTo(PushType.BACKGROUND);
        assertThat(silent.getPriority()).isEqualTo(DeliveryPriority.CONSERVE_POWER);
        assertThat(silent.getPayload()).contains("\"content-available\":1");
    }

    /** Lets several dispatchers share the class's provider; the test closes it once. */
    private static final class Unclosed implements org.opensipis.push.PushProvider {
        private final ApnsProvider p;

        Unclosed(ApnsProvider p) {
            this.p = p;
        }

        @Override
        public org.opensipis.core.settings.PushRoute.Kind kind() {
            return p.kind();
        }

        @Override
        public java.util.concurrent.CompletableFuture<PushOutcome> send(PushRequest r) {
            return p.send(r);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> close() {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }
}
