package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.store.PgLeases.Lease;
import org.opensipis.store.PgLeases.Taken;

/** Leases of selector prefixes on a real PostgreSQL: take, renew, lose, hand over. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeasesTest {

    private static final Duration TTL = Duration.ofSeconds(15);
    private static TestPg pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    private static SelectorPrefix p(String s) {
        return SelectorPrefix.parse(s);
    }

    @Test
    void overlappingPrefixesHaveOneHolderAndEpochsGrow() {
        DatabaseSettings db = pg.newDatabase();
        try (Store a = TestPg.open(db, "A")) {
            PgLeases leases = a.leases();
            Taken first = leases.take("A", p("0/1"), TTL);
            assertThat(first.lease()).isPresent();
            // B wants 4/2, part of A's 0/1: blocked by A's live lease
            Taken blocked = leases.take("B", p("4/2"), TTL);
            assertThat(blocked.lease()).isEmpty();
            assertThat(blocked.blockers()).extracting(Lease::owner).containsExactly("A");
            // adjacent, not overlapping: 8/1 is free
            Taken other = leases.take("B", p("8/1"), TTL);
            assertThat(other.lease()).isPresent();
            assertThat(other.lease().get().epoch()).isGreaterThan(first.lease().get().epoch());
            // every selector: blocked by both
            assertThat(leases.take("C", SelectorPrefix.ALL, TTL).blockers()).hasSize(2);
        }
    }

    @Test
    void renewalKeepsOnlyTheHeldEpoch() {
        DatabaseSettings db = pg.newDatabase();
        try (Store a = TestPg.open(db, "A")) {
            PgLeases leases = a.leases();
            long epoch = leases.take("A", p("0/1"), TTL).lease().orElseThrow().epoch();
            Map<String, Lease> renewed = leases.renew("A", Map.of("0/1", epoch), TTL);
            assertThat(renewed).containsOnlyKeys("0/1");
            // a stale epoch (the row was taken again since) is not renewed: the lease is lost
            assertThat(leases.renew("A", Map.of("0/1", epoch - 1), TTL)).isEmpty();
            // another process's name never renews it
            assertThat(leases.renew("B", Map.of("0/1", epoch), TTL)).isEmpty();
        }
    }

    @Test
    void aLapsedLeaseIsTakenWithAHigherEpochAndTheOldHolderLosesIt() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store a = TestPg.open(db, "A")) {
            PgLeases leases = a.leases();
            long epoch = leases.take("A", p("C/2"), TTL).lease().orElseThrow().epoch();
            lapse(db, "C/2");
            Lease taken = leases.take("B", p("C/2"), TTL).lease().orElseThrow();
            assertThat(taken.epoch()).isGreaterThan(epoch);
            assertThat(taken.owner()).isEqualTo("B");
            assertThat(leases.renew("A", Map.of("C/2", epoch), TTL)).isEmpty();
        }
    }

    @Test
    void aSplitIsHandedOverOnlyAfterTheLoserReleasesIt() {
        DatabaseSettings db = pg.newDatabase();
        try (Store a = TestPg.open(db, "A")) {
            PgLeases leases = a.leases();
            leases.take("A", p("0/1"), TTL).lease().orElseThrow();
            // the loser reloads: keeps 0/2, releases 4/2 to B; a prefix it never held is not written
            List<Lease> mine = leases.reshape("A", List.of(p("0/2"), p("8/1")), Map.of(p("4/2"), "B"), TTL);
            assertThat(mine).extracting(Lease::prefix).containsExactlyInAnyOrder("0/2", "4/2");
            Lease released = mine.stream().filter(l -> l.prefix().equals("4/2")).findFirst().orElseThrow();
            assertThat(released.releasedTo()).contains("B");
            // C may not take what was released to B
            assertThat(leases.take("C", p("4/2"), TTL).lease()).isEmpty();
            Lease b = leases.take("B", p("4/2"), TTL).lease().orElseThrow();
            assertThat(b.epoch()).isGreaterThan(released.epoch());
            assertThat(leases.all()).extracting(Lease::prefix, Lease::owner)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("0/2", "A"),
                            org.assertj.core.groups.Tuple.tuple("4/2", "B"));
            // merging back: A gains 0/1 again once B releases 4/2
            assertThat(leases.take("A", p("0/1"), TTL).lease()).isEmpty();
            leases.reshape("B", List.of(), Map.of(p("4/2"), "A"), TTL);
            assertThat(leases.take("A", p("0/1"), TTL).lease()).isPresent();
            assertThat(leases.all()).extracting(Lease::prefix).containsExactly("0/1");
        }
    }

    @Test
    void theGainerLoadsAPrefixWithTheNewestStateOfAnyProcess() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        String inside = "4" + "A".repeat(31);
        String outside = "8" + "B".repeat(31);
        try (Store a = TestPg.open(db, "A")) {
            a.saveRegistration(TestPg.record(inside, "com.example", "pw")).get(10, TimeUnit.SECONDS);
            a.saveRegistration(TestPg.record(outside, "com.example", "pw")).get(10, TimeUnit.SECONDS);
            a.stateWriter().write(new InstanceState(inside, "A", RegistrationState.REGISTERED, "",
                    Optional.of(Instant.now().plusSeconds(600)), Optional.of("sip:s" + inside + "@127.0.0.1:5070"),
                    "call-1@sipis", 41, Instant.now()));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.stateWriter().writtenCount() >= 1);
            List<LoadedInstance> got = new ArrayList<>();
            assertThat(a.loadPrefix(p("0/1"), got::add)).isEqualTo(1);
            assertThat(got.get(0).record().selector()).isEqualTo(inside);
            assertThat(got.get(0).state()).hasValueSatisfying(s -> {
                assertThat(s.callId()).isEqualTo("call-1@sipis");
                assertThat(s.cseq()).isEqualTo(41);
            });
            assertThat(got.get(0).record().tokens()).hasSize(2);
            // A's 200 since the release is what the loser waits for before removing its binding
            assertThat(a.leases().registeredBy("A", p("0/1"), Instant.now().minusSeconds(60))).containsExactly(inside);
            assertThat(a.leases().registeredBy("B", p("0/1"), Instant.now().minusSeconds(60))).isEmpty();
        }
    }

    @Test
    void theFirstProcessToClaimAForkedCallPushesItAndOldClaimsAreForgotten() {
        DatabaseSettings db = pg.newDatabase();
        try (Store a = TestPg.open(db, "A"); Store b = TestPg.open(db, "B")) {
            assertThat(b.leases().claimPush("call-1|tagX|1", "B")).isEqualTo("B");
            assertThat(a.leases().claimPush("call-1|tagX|1", "A")).isEqualTo("B");
            // a retransmitted INVITE at the winner: still its own
            assertThat(b.leases().claimPush("call-1|tagX|1", "B")).isEqualTo("B");
            // the next INVITE of the same dialog is another call to claim
            assertThat(a.leases().claimPush("call-1|tagX|2", "A")).isEqualTo("A");
            assertThat(a.leases().forgetPushClaims(Duration.ofMinutes(15))).isZero();
            assertThat(a.leases().forgetPushClaims(Duration.ZERO)).isEqualTo(2);
        }
    }

    private static void lapse(DatabaseSettings db, String prefix) throws Exception {
        try (Connection c = pg.connect(TestPg.dbname(db)); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE shard_leases SET expires_at = now() - interval '1 second' WHERE prefix = '" + prefix + "'");
        }
    }
}
