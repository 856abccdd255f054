package org.opensipis.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;

/** Swapping providers on a reload: atomic, pushes in flight finish on the old provider, bounded drain. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PushDispatcherReloadTest {

    /** A provider of our own whose sends wait until the test completes them. */
    static final class Held implements PushProvider {
        final String name;
        final List<CompletableFuture<PushOutcome>> sends = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        Held(String name) {
            this.name = name;
        }

        @Override
        public PushRoute.Kind kind() {
            return PushRoute.Kind.PNM;
        }

        @Override
        public CompletableFuture<PushOutcome> send(PushRequest request) {
            CompletableFuture<PushOutcome> f = new CompletableFuture<>();
            sends.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Void> close() {
            closed.complete(null);
            return closed;
        }
    }

    private static PushRoute.Pnm pnm(String url) {
        return new PushRoute.Pnm("*", "pnm.example", 6552, false, true, Optional.of(URI.create(url)));
    }

    private static PushRequest request() {
        DeviceToken t = new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, "com.example.app", "tok",
                Instant.now());
        return PushRequest.builder("ABCDEF0123456789", t, Verb.PUSH_TEST, Instant.now())
                .deadline(Instant.now().plusSeconds(10)).build();
    }

    private static PushDispatcher dispatcher(List<Held> made, Duration drain) {
        return PushDispatcher.builder(List.of(pnm("http://127.0.0.1:1/a")), new InMemoryInstanceStore(), r -> {
            Held h = new Held(((PushRoute.Pnm) r).gateway().getPath());
            made.add(h);
            return h;
        }).drainTimeout(drain).build();
    }

    @Test
    void aPushInFlightFinishesOnTheOldProviderWhichClosesAfterIt() throws Exception {
        List<Held> made = new ArrayList<>();
        try (PushDispatcher d = dispatcher(made, Duration.ofSeconds(30))) {
            Held old = made.get(0);
            CompletableFuture<PushOutcome> inFlight = d.push(request());

            ProviderChange change = d.prepare(List.of(pnm("http://127.0.0.1:1/b")));
            assertThat(change.changes()).containsExactly("entry 1 <NotificationServer AppId=\"*\">: Url changed; new client");
            CompletableFuture<Void> oldClosed = d.apply(change);
            Held now = made.get(1);

            CompletableFuture<PushOutcome> after = d.push(request());
            assertThat(now.sends).hasSize(1);
            assertThat(old.sends).hasSize(1);
            assertThat(old.closed).as("old provider still has a push in flight").isNotDone();
            assertThat(oldClosed).isNotDone();

            old.sends.get(0).complete(new PushOutcome.Accepted("old"));
            assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(new PushOutcome.Accepted("old"));
            oldClosed.get(5, TimeUnit.SECONDS);
            assertThat(old.closed).isDone();
            assertThat(now.closed).isNotDone();

            now.sends.get(0).complete(new PushOutcome.Accepted("new"));
            assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo(new PushOutcome.Accepted("new"));
        }
        assertThat(made.get(1).closed).isDone();
    }

    @Test
    void aStuckPushDoesNotKeepTheOldProviderOpenPastTheDrainTimeout() throws Exception {
        List<Held> made = new ArrayList<>();
        try (PushDispatcher d = dispatcher(made, Duration.ofMillis(200))) {
            d.push(request());
            CompletableFuture<Void> oldClosed = d.apply(d.prepare(List.of(pnm("http://127.0.0.1:1/b"))));
            oldClosed.get(10, TimeUnit.SECONDS);
            assertThat(made.get(0).closed).isDone();
        }
    }

    @Test
    void aBrokenEntryRefusesTheWholeChangeAndClosesWhatItBuilt() throws Exception {
        List<Held> made = new ArrayList<>();
        try (PushDispatcher d = PushDispatcher.builder(List.of(pnm("http://127.0.0.1:1/a")), new InMemoryInstanceStore(),
                r -> {
                    if (((PushRoute.Pnm) r).gateway().getPath().equals("/broken")) {
                        throw new PushConfigException("<NotificationServer>: cannot read File=/x");
                    }
                    Held h = new Held("x");
                    made.add(h);
                    return h;
                }).build()) {
            assertThatThrownBy(() -> d.prepare(List.of(pnm("http://127.0.0.1:1/c"), pnm("http://127.0.0.1:1/broken"))))
                    .isInstanceOf(PushConfigException.class)
                    .hasMessage("NotificationServers entry 2: <NotificationServer>: cannot read File=/x");
            assertThat(made).hasSize(2);
            assertThat(made.get(1).closed).as("built for the refused change").isDone();
            assertThat(made.get(0).closed).as("the provider in use").isNotDone();
            CompletableFuture<PushOutcome> p = d.push(request());
            made.get(0).sends.get(0).complete(new PushOutcome.Accepted("still"));
            assertThat(p.get(5, TimeUnit.SECONDS)).isEqualTo(new PushOutcome.Accepted("still"));
        }
    }

    @Test
    void aRotatedServiceAccountFileAtTheSamePathGetsANewClientAndOnlyThatEntry(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path sa = dir.resolve("fcm.json");
        Files.writeString(sa, "{\"key\":\"one\"}");
        PushRoute.Fcm fcm = new PushRoute.Fcm("com.example", Optional.of(sa), "proj", Optional.empty(), false);
        PushRoute.Pnm gateway = pnm("http://127.0.0.1:1/a");
        List<Held> made = new ArrayList<>();
        try (PushDispatcher d = PushDispatcher.builder(List.of(fcm, gateway), new InMemoryInstanceStore(), r -> {
            Held h = new Held(r.kind().name());
            made.add(h);
            return h;
        }).build()) {
            assertThat(d.prepare(List.of(fcm, gateway)).isEmpty()).isTrue();
            Files.writeString(sa, "{\"key\":\"two\"}");
            ProviderChange change = d.prepare(List.of(fcm, gateway));
            assertThat(change.changes()).containsExactly(
                    "entry 1 <Fcm AppId=\"com.example\">: contents of ServiceAccountFile changed; new client");
            assertThat(change.toString()).doesNotContain("two");
            d.apply(change).get(5, TimeUnit.SECONDS);
            assertThat(made).hasSize(3);
            assertThat(made.get(0).closed).isDone();
            assertThat(made.get(1).closed).as("the unchanged PNM entry keeps its client").isNotDone();
            assertThat(d.prepare(List.of(fcm)).changes()).containsExactly("entry 2 <NotificationServer AppId=\"*\">: removed");
        }
    }
}
