package org.opensipis.push.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.core.settings.Secret;
import org.opensipis.push.FakeHttp;
import org.opensipis.push.InMemoryInstanceStore;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.PushPolicy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FcmProviderTest {

    private static final String SELECTOR = "0123456789ABCDEF";
    private static final String APP = "com.example.android";
    private static final String UNREGISTERED = "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\","
            + "\"status\":\"NOT_FOUND\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
            + "\"errorCode\":\"UNREGISTERED\"}]}}";
    private static final String INVALID_TOKEN = "{\"error\":{\"code\":400,\"message\":\"The registration token is not a "
            + "valid FCM registration token\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
            + "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"INVALID_ARGUMENT\"}]}}";
    private static final String UNAVAILABLE = "{\"error\":{\"code\":503,\"message\":\"The service is currently "
            + "unavailable.\",\"status\":\"UNAVAILABLE\"}}";

    private final AtomicInteger flaky = new AtomicInteger();
    private FakeHttp fcm;
    private InMemoryInstanceStore store;
    private PushDispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        fcm = new FakeHttp(body -> {
            if (body.contains("\"token\":\"dead\"")) {
                return new FakeHttp.Reply(404, UNREGISTERED);
            }
            if (body.contains("\"token\":\"garbage\"")) {
                return new FakeHttp.Reply(400, INVALID_TOKEN);
            }
            if (body.contains("\"token\":\"down\"")) {
                return new FakeHttp.Reply(503, UNAVAILABLE);
            }
            if (body.contains("\"token\":\"flaky\"") && flaky.getAndIncrement() < 2) {
                return new FakeHttp.Reply(503, UNAVAILABLE);
            }
            return new FakeHttp.Reply(200, "{\"name\":\"projects/demo-project/messages/0:1234\"}");
        });
        PushRoute.Fcm route = new PushRoute.Fcm("com.example", Optional.empty(), "demo-project",
                Optional.of(fcm.uri("/")), false);
        store = new InMemoryInstanceStore();
        dispatcher = PushDispatcher.builder(List.of(route), store,
                r -> FcmProvider.builder((PushRoute.Fcm) r).staticAccessToken(Secret.of("test-token")).build())
                .policy(new PushPolicy(Duration.ofMillis(10), Duration.ofMillis(50), 4, 100, 50, Duration.ofSeconds(30)))
                .build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        fcm.close();
    }

    private DeviceToken token(String t) {
        DeviceToken d = new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.INCOMING_CALL, APP, t, Instant.now());
        store.put(InMemoryInstanceStore.record(SELECTOR, APP, Instant.now(), d,
                new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, APP, "spare", Instant.now())));
        return d;
    }

    private PushRequest call(DeviceToken t) {
        return PushRequest.builder(SELECTOR, t, Verb.INCOMING_CALL, Instant.now()).callId("c1").pairingId("p1")
                .callerName("Bob").deadline(Instant.now().plusSeconds(20)).build();
    }

    @Test
    void highPriorityDataMessageIsAccepted() throws Exception {
        PushOutcome o = dispatcher.push(call(token("good"))).get();
        assertThat(o).isEqualTo(new PushOutcome.Accepted("projects/demo-project/messages/0:1234"));
        FakeHttp.Seen seen = fcm.seen.get(0);
        assertThat(seen.path()).isEqualTo("/v1/projects/demo-project/messages:send");
        assertThat(seen.authorization()).isEqualTo("Bearer test-token");
        assertThat(seen.body()).contains("\"priority\":\"high\"", "\"ttl\":\"30s\"", "\"type\":\"incoming-call\"",
                "\"s\":\"" + SELECTOR + "\"", "\"pairingId\":\"p1\"", "\"callerName\":\"Bob\"");
    }

    @Test
    void unregisteredTokenIsRemoved() throws Exception {
        PushOutcome o = dispatcher.push(call(token("dead"))).get();
        assertThat(o).isEqualTo(PushOutcome.Rejected.deadToken("UNREGISTERED", Optional.empty()));
        assertThat(store.get(SELECTOR).orElseThrow().tokens()).extracting(DeviceToken::token).containsExactly("spare");
        assertThat(fcm.seen).hasSize(1);
    }

    @Test
    void invalidTokenIsRemoved() throws Exception {
        PushOutcome o = dispatcher.push(call(token("garbage"))).get();
        assertThat(o).isEqualTo(PushOutcome.Rejected.deadToken("INVALID_ARGUMENT", Optional.empty()));
        assertThat(store.removedTokens).containsExactly("garbage");
    }

    @Test
    void serviceUnavailableIsRetriedByUsNotByFirebase() throws Exception {
        PushOutcome o = dispatcher.push(call(token("flaky"))).get();
        assertThat(o.accepted()).isTrue();
        assertThat(fcm.count("\"token\":\"flaky\"")).isEqualTo(3);
    }

    @Test
    void persistentServiceUnavailableEndsAsTransientFailure() throws Exception {
        PushOutcome o = dispatcher.push(call(token("down"))).get();
        assertThat(o).isInstanceOfSatisfying(PushOutcome.Failed.class, f -> {
            assertThat(f.transientError()).isTrue();
            assertThat(f.attempts()).isEqualTo(4);
            assertThat(f.cause()).contains("UNAVAILABLE");
        });
        assertThat(fcm.count("\"token\":\"down\"")).isEqualTo(4);
        assertThat(store.removedTokens).isEmpty();
    }
}
