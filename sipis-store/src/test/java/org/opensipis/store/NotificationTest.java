package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.core.shard.Shard;

/** A registration stored through one process reaches the listener of another. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotificationTest {

    /**
     * Well under the 30 s safety-net poll, so a pass proves LISTEN/NOTIFY delivered the change;
     * the sub-second latency itself is a performance target, measured in docs/benchmarks.md,
     * not asserted here (a loaded CI machine must not make this test flaky).
     */
    private static final Duration NOTIFY_WAIT = Duration.ofSeconds(10);

    private static TestPg pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    /** Collects the selectors of changed and deleted instances. */
    static Consumer<RegistrationChanges> into(Set<String> seen) {
        return ch -> {
            ch.changed().forEach(r -> seen.add(r.selector()));
            seen.addAll(ch.deleted());
        };
    }

    @Test
    void registrationSavedByAReachesBThroughNotify() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (Store a = TestPg.open(db, "A"); Store b = TestPg.open(db, "B")) {
            b.listen(Shard.all("B"), into(seen));
            await().atMost(Duration.ofSeconds(10)).until(b::isListening);
            a.saveRegistration(TestPg.record("ABCDEF01", "com.example", "pw")).get();
            await().atMost(NOTIFY_WAIT).until(() -> seen.contains("ABCDEF01"));

            seen.clear(); // before the change: its notification may arrive before get() returns
            a.removeToken("ABCDEF01", "voip-ABCDEF01").get();
            await().atMost(NOTIFY_WAIT).until(() -> seen.contains("ABCDEF01"));
            seen.clear();
            a.delete("ABCDEF01").get();
            await().atMost(NOTIFY_WAIT).until(() -> seen.contains("ABCDEF01"));
        }
    }

    /** Admitted registrations notify after their commit, from the queue, like saved ones. */
    @Test
    void registrationsAdmittedByAReachBThroughNotify() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (Store a = TestPg.open(db, "A"); Store b = TestPg.open(db, "B")) {
            b.listen(Shard.all("B"), into(seen));
            await().atMost(Duration.ofSeconds(10)).until(b::isListening);
            java.util.List<java.util.concurrent.CompletableFuture<org.opensipis.core.abuse.Admission>> admitted =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                admitted.add(a.admit(TestPg.record(String.format("ADA%05X", i), "com.example", "pw"),
                        new org.opensipis.core.abuse.Origin("192.0.2.7", java.util.Optional.empty(),
                                java.time.Instant.parse("2026-12-01T10:00:00Z"), "com.example"),
                        org.opensipis.core.abuse.Quotas.NONE));
            }
            assertThat(admitted.stream().map(java.util.concurrent.CompletableFuture::join)
                    .allMatch(org.opensipis.core.abuse.Admission::isStored)).isTrue();
            await().atMost(NOTIFY_WAIT).until(() -> seen.containsAll(
                    java.util.stream.IntStream.range(0, 50).mapToObj(i -> String.format("ADA%05X", i)).toList()));
        }
    }

    @Test
    void thePollFindsChangesThatWereNotNotified() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        RestartSettings pollFast = new RestartSettings(Duration.ofMillis(100), Duration.ofMillis(200));
        try (Store a = TestPg.open(db, "A");
             Store b = Store.open(db, pollFast, TestPg.KEY, "B", Clock.systemUTC(), Store.DEFAULTS)) {
            a.saveRegistration(TestPg.record("CAFE", "com.example", "pw")).get();
            b.listen(Shard.all("B"), into(seen));
            seen.clear();
            try (Connection c = pg.connect(TestPg.dbname(db)); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE instances SET premium = true, changed_at = clock_timestamp() WHERE selector = 'CAFE'");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("CAFE"));
        }
    }

    /**
     * The poll remembers what it delivered only while a later poll can read it again. It used to keep
     * every change within the overlap of the newest one until a newer change came: after a burst
     * (an import, a mass re-registration) followed by quiet, the selectors of the burst's last
     * seconds stayed in memory for good.
     */
    @Test
    void thePollForgetsDeliveredChangesOnceNoPollCanReadThemAgain() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        RestartSettings pollFast = new RestartSettings(Duration.ofMillis(100), Duration.ofMillis(100));
        try (Store a = TestPg.open(db, "A");
             Store b = Store.open(db, pollFast, TestPg.KEY, "B", Clock.systemUTC(), Store.DEFAULTS)) {
            b.listen(Shard.all("B"), into(seen), Duration.ofMillis(200));
            // a burst: more than the poll's memory keeps its table for (it is replaced once forgotten)
            List<CompletableFuture<?>> saves = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                saves.add(a.saveRegistration(TestPg.record(String.format("F00D%04X", i), "com.example", "pw")));
            }
            CompletableFuture.allOf(saves.toArray(CompletableFuture[]::new)).get();
            await().atMost(NOTIFY_WAIT).until(() -> seen.size() == 1500);
            await().atMost(NOTIFY_WAIT).until(() -> b.listener().remembered() == 0 && b.listener().rememberedPeak() == 0);
            // and a change after the quiet spell is still delivered
            seen.clear();
            a.saveRegistration(TestPg.record("F00DFF", "com.example", "pw2")).get();
            await().atMost(NOTIFY_WAIT).until(() -> seen.contains("F00DFF"));
        }
    }

    @Test
    void aChangeMadeJustBeforeListeningIsDeliveredWithoutWaitingForThePeriodicPoll() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        RestartSettings hourlyPoll = new RestartSettings(Duration.ofMillis(100), Duration.ofHours(1));
        try (Store a = TestPg.open(db, "A");
             Store b = Store.open(db, hourlyPoll, TestPg.KEY, "B", Clock.systemUTC(), Store.DEFAULTS)) {
            // a registration that reached another process (or this one's HTTP) while this one was starting:
            // its NOTIFY went out before B's LISTEN
            a.saveRegistration(TestPg.record("BEEF01", "com.example", "pw")).get();
            b.listen(Shard.all("B"), into(seen));
            assertThat(b.isListening()).isTrue(); // listen() returns once LISTEN is up
            await().atMost(NOTIFY_WAIT).until(() -> seen.contains("BEEF01"));
        }
    }

    @Test
    void theListenerComesBackAfterAnOutage() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (Store a = TestPg.open(db, "A"); Store b = TestPg.open(db, "B")) {
            b.listen(Shard.all("B"), into(seen));
            await().atMost(Duration.ofSeconds(10)).until(b::isListening);
            pg.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> !b.isListening());
            pg.restart();
            await().atMost(Duration.ofSeconds(30)).until(b::isListening);
            a.saveRegistration(TestPg.record("BEEF", "com.example", "pw")).get();
            await().atMost(NOTIFY_WAIT).until(() -> seen.contains("BEEF"));
        }
    }
}
