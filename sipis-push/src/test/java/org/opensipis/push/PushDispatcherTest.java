package org.opensipis.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushListener;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.core.testing.FakeClock;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PushDispatcherTest {

    private static final String SELECTOR = "00FF";
    private final FakeClock clock = new FakeClock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final InMemoryInstanceStore store = new InMemoryInstanceStore();
    private final List<String> events = new CopyOnWriteArrayList<>();

    private final PushListener listener = new PushListener() {
        @Override
        public void completed(PushRoute.Kind provider, Verb verb, PushOutcome.Kind outcome, Duration latency) {
            events.add("completed " + provider + " " + outcome);
        }

        @Override
        public void retried(PushRoute.Kind provider, Verb verb) {
            events.add("retried " + provider);
        }

        @Override
        public void tokenRemoved(PushRoute.Kind provider) {
            events.add("tokenRemoved " + provider);
        }

        @Override
        public void circuitChanged(PushRoute.Kind provider, boolean open) {
            events.add("circuit " + provider + " " + (open ? "open" : "closed"));
        }

        @Override
        public void queueFull(PushRoute.Kind provider) {
            events.add("queueFull " + provider);
        }
    };

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** A provider whose answers the test scripts. */
    static final class Scripted implements PushProvider {
        final PushRoute.Kind kind;
        final List<PushRequest> sent = new CopyOnWriteArrayList<>();
        volatile Function<PushRequest, CompletableFuture<PushOutcome>> answer;

        Scripted(PushRoute.Kind kind, Function<PushRequest, CompletableFuture<PushOutcome>> answer) {
            this.kind = kind;
            this.answer = answer;
        }

        @Override
        public PushRoute.Kind kind() {
            return kind;
        }

        @Override
        public CompletableFuture<PushOutcome> send(PushRequest request) {
            sent.add(request);
            return answer.apply(request);
        }

        @Override
        public CompletableFuture<Void> close() {
            return CompletableFuture.completedFuture(null);
        }
    }

    private static PushRoute.Apns apnsRoute(String prefix) {
        return new PushRoute.Apns(prefix, Optional.of(prefix), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), true, Optional.empty(), Optional.empty(), false);
    }

    private static PushRoute.Pnm pnmRoute() {
        return new PushRoute.Pnm("*", "pnm.example", 6552, false, true, Optional.empty());
    }

    private PushDispatcher dispatcher(List<PushRoute> routes, List<Scripted> providers, PushPolicy policy) {
        List<Scripted> queue = new ArrayList<>(providers);
        return PushDispatcher.builder(routes, store, r -> queue.remove(0)).clock(clock).scheduler(scheduler)
                .policy(policy).listener(listener).build();
    }

    private PushRequest request(DeviceToken.Platform platform, String appId, Duration deadline) {
        DeviceToken t = new DeviceToken(platform, DeviceToken.Kind.OTHER, appId, "tok", clock.instant());
        return PushRequest.builder(SELECTOR, t, Verb.PUSH_TEST, clock.instant()).deadline(clock.instant().plus(deadline))
                .build();
    }

    private static CompletableFuture<PushOutcome> done(PushOutcome o) {
        return CompletableFuture.completedFuture(o);
    }

    @Test
    void firstMatchingEntryThatCanDeliverThePlatformWins() throws Exception {
        Scripted apns = new Scripted(PushRoute.Kind.APNS, r -> done(new PushOutcome.Accepted("a")));
        Scripted pnm = new Scripted(PushRoute.Kind.PNM, r -> done(new PushOutcome.Accepted("p")));
        try (PushDispatcher d = dispatcher(List.of(apnsRoute("com.example"), pnmRoute()), List.of(apns, pnm),
                PushPolicy.DEFAULT)) {
            assertThat(d.push(request(DeviceToken.Platform.APNS, "com.example.app", Duration.ofSeconds(5))).get())
                    .isEqualTo(new PushOutcome.Accepted("a"));
            assertThat(d.push(request(DeviceToken.Platform.FCM, "com.example.app", Duration.ofSeconds(5))).get())
                    .isEqualTo(new PushOutcome.Accepted("p"));
            assertThat(d.push(request(DeviceToken.Platform.APNS, "org.other", Duration.ofSeconds(5))).get())
                    .isEqualTo(new PushOutcome.Accepted("p"));
        }
    }

    @Test
    void noMatchingEntryIsARejectionNamingTheAppId() throws Exception {
        Scripted apns = new Scripted(PushRoute.Kind.APNS, r -> done(new PushOutcome.Accepted("a")));
        try (PushDispatcher d = dispatcher(List.of(apnsRoute("com.example")), List.of(apns), PushPolicy.DEFAULT)) {
            PushOutcome o = d.push(request(DeviceToken.Platform.APNS, "org.other.app", Duration.ofSeconds(5))).get();
            assertThat(o).isInstanceOfSatisfying(PushOutcome.Rejected.class, r -> {
                assertThat(r.reason()).contains("org.other.app");
                assertThat(r.permanentTokenError()).isFalse();
            });
        }
    }

    @Test
    void retriesStopBeforeTheDeadline() throws Exception {
        Scripted apns = new Scripted(PushRoute.Kind.APNS, r -> done(PushOutcome.Failed.transientFailure("boom")));
        PushPolicy policy = new PushPolicy(Duration.ofMillis(10), Duration.ofSeconds(1), 10, 100, 100, Duration.ofSeconds(1));
        try (PushDispatcher d = dispatcher(List.of(apnsRoute("com")), List.of(apns), policy)) {
            // backoffs 10, 20, 40 ms: the third retry would start after the 35 ms deadline
            PushOutcome o = d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofMillis(35))).get();
            assertThat(o).isEqualTo(new PushOutcome.Failed(true, "boom", 3));
        }
        assertThat(apns.sent).hasSize(3);
        assertThat(events).containsExactly("retried APNS", "retried APNS", "completed APNS FAILED");
    }

    @Test
    void exceptionFromAProviderIsATransientFailure() throws Exception {
        Scripted apns = new Scripted(PushRoute.Kind.APNS,
                r -> CompletableFuture.failedFuture(new IllegalStateException("socket gone")));
        PushPolicy policy = new PushPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 2, 100, 100, Duration.ofSeconds(1));
        try (PushDispatcher d = dispatcher(List.of(apnsRoute("com")), List.of(apns), policy)) {
            PushOutcome o = d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5))).get();
            assertThat(o).isEqualTo(new PushOutcome.Failed(true, "IllegalStateException: socket gone", 2));
        }
    }

    @Test
    void circuitOpensAfterRepeatedFailuresAndClosesAfterASuccessfulTrial() throws Exception {
        Scripted apns = new Scripted(PushRoute.Kind.APNS, r -> done(PushOutcome.Failed.transientFailure("503")));
        Scripted pnm = new Scripted(PushRoute.Kind.PNM, r -> done(new PushOutcome.Accepted("p")));
        PushPolicy policy = new PushPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 1, 100, 2, Duration.ofSeconds(30));
        try (PushDispatcher d = dispatcher(List.of(apnsRoute("com"), pnmRoute()), List.of(apns, pnm), policy)) {
            d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5))).get();
            d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5))).get();
            PushOutcome refused = d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5))).get();
            assertThat(refused).isInstanceOfSatisfying(PushOutcome.Failed.class, f -> {
                assertThat(f.cause()).startsWith("circuit open for APNS");
                assertThat(f.attempts()).isZero();
            });
            assertThat(apns.sent).hasSize(2);
            // the other provider is not affected
            assertThat(d.push(request(DeviceToken.Platform.FCM, "org.y", Duration.ofSeconds(5))).get().accepted()).isTrue();

            clock.advance(Duration.ofSeconds(31));
            apns.answer = r -> done(new PushOutcome.Accepted("a"));
            assertThat(d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5))).get().accepted()).isTrue();
        }
        assertThat(events).containsSubsequence("circuit APNS open", "circuit APNS closed");
    }

    @Test
    void tooManyInFlightIsRefusedAtOnce() throws Exception {
        List<CompletableFuture<PushOutcome>> pending = new CopyOnWriteArrayList<>();
        Scripted apns = new Scripted(PushRoute.Kind.APNS, r -> {
            CompletableFuture<PushOutcome> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        PushPolicy policy = new PushPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 1, 2, 100, Duration.ofSeconds(1));
        try (PushDispatcher d = dispatcher(List.of(apnsRoute("com")), List.of(apns), policy)) {
            CompletableFuture<PushOutcome> a = d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5)));
            d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5)));
            PushOutcome third = d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5))).get();
            assertThat(third).isInstanceOfSatisfying(PushOutcome.Failed.class,
                    f -> assertThat(f.cause()).startsWith("too many pushes in flight"));
            pending.get(0).complete(new PushOutcome.Accepted("1"));
            assertThat(a.get().accepted()).isTrue();
            CompletableFuture<PushOutcome> fourth = d.push(request(DeviceToken.Platform.APNS, "com.x", Duration.ofSeconds(5)));
            assertThat(pending).hasSize(3);
            pending.get(2).complete(new PushOutcome.Accepted("4"));
            assertThat(fourth.get().accepted()).isTrue();
        }
        assertThat(events).contains("queueFull APNS");
    }

    @Test
    void deadTokenIsRemovedAndCounted() throws Exception {
        DeviceToken t = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, "com.x", "tok", clock.instant());
        DeviceToken keep = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.x", "voip",
                clock.instant());
        store.put(InMemoryInstanceStore.record(SELECTOR, "com.x", clock.instant(), t, keep));
        Scripted apns = new Scripted(PushRoute.Kind.APNS,
                r -> done(PushOutcome.Rejected.deadToken("BadDeviceToken", Optional.empty())));
        try (PushDispatcher d = dispatcher(List.of(apnsRoute("com")), List.of(apns), PushPolicy.DEFAULT)) {
            PushOutcome o = d.push(PushRequest.builder(SELECTOR, t, Verb.MISSED_CALL, clock.instant()).build()).get();
            assertThat(o.kind()).isEqualTo(PushOutcome.Kind.REJECTED);
        }
        assertThat(store.get(SELECTOR).orElseThrow().tokens()).containsExactly(keep);
        assertThat(events).containsExactly("tokenRemoved APNS", "completed APNS REJECTED");
    }
}
