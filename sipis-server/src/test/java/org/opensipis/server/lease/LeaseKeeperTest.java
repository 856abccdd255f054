package org.opensipis.server.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.LeaseSettings;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.server.plan.ShardDelta;
import org.opensipis.store.Store;

/**
 * Leases kept by two processes' keepers on one real (embedded) PostgreSQL: the gate, a split
 * handed over make before break, a lapsed lease taken by another holder, and the local deadline
 * when renewals fail. Rounds are driven by the test ({@link LeaseKeeper#roundNow}); the local
 * deadline runs on a clock the test moves.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaseKeeperTest {

    private static final LeaseSettings SETTINGS = new LeaseSettings(true, Duration.ofSeconds(15), Duration.ofSeconds(5),
            false, Duration.ofSeconds(30));
    private static final String IN_4 = "4ABCDEF0123456789";
    private static final String IN_0 = "0ABCDEF0123456789";
    private static final String IN_8 = "8ABCDEF0123456789";
    private static Path dir;
    private static Store store;

    /** A clock the test moves; starts at the real time so the database and the local deadlines agree. */
    static final class MovableClock extends Clock {
        final AtomicLong offset = new AtomicLong();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plusMillis(offset.get());
        }
    }

    /** What the keeper reported. */
    static final class Events implements LeaseEvents {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void gained(SelectorPrefix prefix, String previousOwner) {
            log.add("gained " + prefix);
        }

        @Override
        public void handedOver(SelectorPrefix prefix, String gainer, Instant releasedAt) {
            log.add("handed " + prefix + " to " + gainer);
        }

        @Override
        public void lost(SelectorPrefix prefix) {
            log.add("lost " + prefix);
        }
    }

    @BeforeAll
    static void startPostgres() throws Exception {
        dir = Files.createTempDirectory("sipis-lease-test");
        store = Store.open(new DatabaseSettings(Optional.empty(), dir.resolve("pgdata"), 4),
                new RestartSettings(Duration.ofMillis(100), Duration.ofHours(1)), SipisKey.of(new byte[16]), "A",
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        store.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // temp files
        }
    }

    private static SelectorPrefix p(String s) {
        return SelectorPrefix.parse(s);
    }

    private static LeaseKeeper keeper(String name, Clock clock, Events events) {
        return new LeaseKeeper(name, store.leases(), SETTINGS, clock, events);
    }

    @Test
    void aProcessActsOnlyOnTheSelectorsOfTheLeasesItHolds() {
        Events ea = new Events();
        Events eb = new Events();
        try (LeaseKeeper a = keeper("GateA", Clock.systemUTC(), ea); LeaseKeeper b = keeper("GateB", Clock.systemUTC(), eb)) {
            store.leases().release("GateA", List.of("0/1", "8/1"));
            a.begin(List.of(p("0/1")));
            b.begin(List.of(p("0/1"), p("8/1")));   // B's file disagrees: it also wants A's 0/1
            assertThat(ea.log).containsExactly("gained 0/1");
            assertThat(eb.log).containsExactly("gained 8/1");
            assertThat(a.holds(IN_4)).isTrue();
            assertThat(a.holds(IN_8)).isFalse();
            assertThat(b.holds(IN_4)).as("B waits for A's lease").isFalse();
            assertThat(b.holds(IN_8)).isTrue();
            store.leases().release("GateA", List.of("0/1"));
            store.leases().release("GateB", List.of("8/1"));
        }
    }

    @Test
    void aSplitMovesOnlyWhenTheLoserReleasesAndTheGainerTakesWithANewEpoch() {
        Events ea = new Events();
        Events eb = new Events();
        try (LeaseKeeper a = keeper("SplitA", Clock.systemUTC(), ea); LeaseKeeper b = keeper("SplitB", Clock.systemUTC(), eb)) {
            a.begin(List.of(p("0/1")));
            b.begin(List.of(p("8/1")));
            long epochBefore = a.held().get(0).epoch();
            // the gainer reloads first: it waits, the loser keeps acting
            b.reshape(new ShardDelta(List.of(p("8/1")), Map.of(p("4/2"), "SplitA"), Map.of()));
            assertThat(b.holds(IN_4)).isFalse();
            assertThat(a.holds(IN_4)).isTrue();
            // the loser reloads: releases 4/2 to B, keeps acting on it until B takes it
            a.reshape(new ShardDelta(List.of(p("0/2")), Map.of(), Map.of(p("4/2"), "SplitB")));
            assertThat(a.holds(IN_4)).isTrue();
            assertThat(a.holds(IN_0)).isTrue();
            b.roundNow();
            assertThat(b.holds(IN_4)).isTrue();
            assertThat(eb.log).containsExactly("gained 8/1", "gained 4/2");
            assertThat(b.held()).filteredOn(h -> h.prefix().equals(p("4/2")))
                    .allSatisfy(h -> assertThat(h.epoch()).isGreaterThan(epochBefore));
            // the loser's next round sees the take: its part ends, the hand-over of the instances starts
            a.roundNow();
            assertThat(a.holds(IN_4)).isFalse();
            assertThat(a.holds(IN_0)).isTrue();
            assertThat(ea.log).containsExactly("gained 0/1", "handed 4/2 to SplitB");
            store.leases().release("SplitA", List.of("0/2"));
            store.leases().release("SplitB", List.of("8/1", "4/2"));
        }
    }

    @Test
    void aLeaseTakenByAnotherHolderAfterItLapsedIsLost() {
        LeaseSettings fast = new LeaseSettings(true, Duration.ofSeconds(2), Duration.ofSeconds(1), false,
                Duration.ofSeconds(2));
        Events ea = new Events();
        Events eb = new Events();
        try (LeaseKeeper a = new LeaseKeeper("LapseA", store.leases(), fast, Clock.systemUTC(), ea);
             LeaseKeeper b = new LeaseKeeper("LapseB", store.leases(), fast, Clock.systemUTC(), eb)) {
            a.begin(List.of(p("C/2")));
            long epochA = a.held().get(0).epoch();
            b.begin(List.of(p("C/2")));
            assertThat(eb.log).isEmpty();
            // A stops renewing (a paused process); after the database's expiry B takes it with a higher epoch
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                b.roundNow();
                return b.holds("C123");
            });
            assertThat(b.held().get(0).epoch()).isGreaterThan(epochA);
            // A's own deadline had already passed, so it had stopped before B could take over
            assertThat(a.holds("C123")).isFalse();
            a.roundNow();
            assertThat(ea.log).containsExactly("gained C/2", "lost C/2");
            store.leases().release("LapseB", List.of("C/2"));
        }
    }

    @Test
    void withoutRenewalAProcessStopsActingBeforeTheDatabaseLetsTheLeaseLapse() {
        MovableClock clock = new MovableClock();
        Events ea = new Events();
        try (LeaseKeeper a = keeper("ClockA", clock, ea)) {
            a.begin(List.of(p("E/3")));
            assertThat(a.holds("E0")).isTrue();
            long margin = SETTINGS.safetyMargin().toMillis();
            clock.offset.set(SETTINGS.duration().toMillis() - margin - 100);
            assertThat(a.holds("E0")).isTrue();
            clock.offset.set(SETTINGS.duration().toMillis() - margin + 100);
            assertThat(a.holds("E0")).as("stopped %d ms before the row expires", margin).isFalse();
            store.leases().release("ClockA", List.of("E/3"));
        }
    }

    @Test
    void withTakeOverTheStandbyTakesTheLapsedPrefixOfAFailedProcessOnlyAfterTakeOverAfter() {
        LeaseSettings standby = new LeaseSettings(true, Duration.ofSeconds(2), Duration.ofSeconds(1), true,
                Duration.ofSeconds(2));
        Events ea = new Events();
        Events eb = new Events();
        try (LeaseKeeper a = new LeaseKeeper("FailA", store.leases(), standby, Clock.systemUTC(), ea);
             LeaseKeeper b = new LeaseKeeper("FailB", store.leases(), standby, Clock.systemUTC(), eb);
             LeaseKeeper c = new LeaseKeeper("FailC", store.leases(), standby, Clock.systemUTC(), new Events())) {
            b.standbyFor("FailA"::equals);
            c.standbyFor("FailB"::equals);   // stands by for another process: never takes A's prefix
            a.begin(List.of(p("6/3")));
            b.begin(List.of());
            c.begin(List.of());
            // A fails (it stops renewing); once its row has expired, B still waits TakeOverAfter
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> store.leases().all()
                    .stream().anyMatch(l -> l.owner().equals("FailA") && l.expiresAt().isBefore(Instant.now())));
            b.roundNow();
            assertThat(b.holds("6A")).isFalse();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                c.roundNow();
                b.roundNow();
                return b.holds("6A");
            });
            assertThat(c.holds("6A")).isFalse();
            assertThat(eb.log).containsExactly("gained 6/3");
            store.leases().release("FailB", List.of("6/3"));
        }
    }
}
