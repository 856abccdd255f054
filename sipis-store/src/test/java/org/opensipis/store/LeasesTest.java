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

    @Test
    void eachProcessAnnouncesItsOwnSipAddressAndTheLastOneCounts() {
        DatabaseSettings db = pg.newDatabase();
        try (Store a = TestPg.open(db, "A"); Store b = TestPg.open(db, "B")) {
            assertThat(b.leases().sipAddressOf("A")).isEmpty();
            a.leases().announceSipAddress("A", "10.0.0.11:14999");
            b.leases().announceSipAddress("B", "[2001:db8::12]:14999");
            assertThat(b.leases().sipAddressOf("A")).contains("10.0.0.11:14999");
            assertThat(a.leases().sipAddressOf("B")).contains("[2001:db8::12]:14999");
            a.leases().announceSipAddress("A", "10.0.0.21:14999"); // restarted on another host
            assertThat(b.leases().sipAddressOf("A")).contains("10.0.0.21:14999");
            // a hand-over's claim of a call pushed without one: the first claim stays
            assertThat(a.leases().claimPush("fwd-1|tagF|1", "A")).isEqualTo("A");
            assertThat(a.leases().claimPush("fwd-1|tagF|1", "A")).isEqualTo("A");
            assertThat(b.leases().claimPush("fwd-1|tagF|1", "B")).isEqualTo("A");
        }
    }

    @Test
    void aStateMadeUnderALeaseNoLongerHeldIsNotWritten() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        String moving = "4" + "C".repeat(31);
        String staying = "1" + "D".repeat(31);
        try (Store a = TestPg.open(db, "A"); Store b = TestPg.open(db, "B")) {
            a.saveRegistration(TestPg.record(moving, "com.example", "pw")).get(10, TimeUnit.SECONDS);
            a.saveRegistration(TestPg.record(staying, "com.example", "pw")).get(10, TimeUnit.SECONDS);
            long e1 = a.leases().take("A", p("0/1"), TTL).lease().orElseThrow().epoch();
            java.util.concurrent.atomic.AtomicLong heldEpoch = new java.util.concurrent.atomic.AtomicLong(e1);
            StateWriter w = a.stateWriter();
            w.fence(s -> heldEpoch.get());
            w.write(state(moving, "A", 10));
            w.write(state(staying, "A", 10));
            flushed(w);
            assertThat(cseq(db, moving, "A")).isEqualTo(10);

            // a split: A keeps 0/2 and releases 4/2 to B, both under new epochs of A's: the states A
            // stamped with e1 stay writable (a later epoch of the same owner covers them) until B takes 4/2
            List<Lease> rows = a.leases().reshape("A", List.of(p("0/2")), Map.of(p("4/2"), "B"), TTL);
            assertThat(rows).extracting(Lease::epoch).allMatch(e -> e >= e1);
            w.write(state(moving, "A", 11));
            flushed(w);
            assertThat(cseq(db, moving, "A")).isEqualTo(11);
            assertThat(b.leases().take("B", p("4/2"), TTL).lease()).isPresent();

            // A has not seen the take yet: its late states are stamped with e1; only 0/2's is written
            w.write(state(moving, "A", 12));
            w.write(state(staying, "A", 12));
            flushed(w);
            assertThat(cseq(db, moving, "A")).as("the late write changed nothing").isEqualTo(11);
            assertThat(cseq(db, staying, "A")).isEqualTo(12);
            assertThat(w.fencedCount()).isEqualTo(1);
            assertThat(w.rejectedCount()).isZero();

            // a lease lost to a lapse and a take by another: the same
            lapse(db, "0/2");
            assertThat(b.leases().take("B", p("0/2"), TTL).lease()).isPresent();
            w.write(state(staying, "A", 13));
            flushed(w);
            assertThat(cseq(db, staying, "A")).isEqualTo(12);
            assertThat(w.fencedCount()).isEqualTo(2);

            // a state made outside any lease (the loser's removal after a hand-over) is written as before
            heldEpoch.set(-1);
            w.write(state(moving, "A", 14));
            flushed(w);
            assertThat(cseq(db, moving, "A")).isEqualTo(14);
            assertThat(w.fencedCount()).isEqualTo(2);
        }
    }

    private static void flushed(StateWriter w) {
        long before = w.writtenCount() + w.fencedCount();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> w.pendingCount() == 0 && w.writtenCount() + w.fencedCount() > before);
    }

    @Test
    void theFencedBatchStaysOnThePrimaryKeys() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store a = TestPg.open(db, "A")) {
            a.leases().take("A", p("0/1"), TTL);
        }
        try (Connection c = pg.connect(TestPg.dbname(db))) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO instances (selector, app_id, last_app_contact, app_secret_sealed, sip_user,"
                        + " sip_auth_user, sip_password_sealed, sip_domain, sip_transport) SELECT upper(lpad(to_hex(g), 32, '0')),"
                        + " 'com.example', now(), 'x', 'u', 'u', 'x', 'example.org', 'UDP' FROM generate_series(1, 50000) g");
                s.executeUpdate("INSERT INTO instance_states (selector, server_name, state, call_id, cseq, changed_at)"
                        + " SELECT selector, 'A', 'REGISTERED', 'c', 1, now() FROM instances");
                s.execute("ANALYZE");
            }
            int n = StateWriter.BATCH;
            String[] sel = new String[n];
            Long[] nums = new Long[n];
            String[] text = new String[n];
            for (int i = 0; i < n; i++) {
                sel[i] = String.format("%032x", i * 37 + 1).toUpperCase(java.util.Locale.ROOT);
                nums[i] = 7L;
                text[i] = "x";
            }
            String before = explain(c, BATCH_BEFORE_THE_FENCE, sel, nums, text, false);
            String after = explain(c, StateWriter.UPSERT_BATCH, sel, nums, text, true);
            org.slf4j.LoggerFactory.getLogger(LeasesTest.class).info("Plan of the state batch before the fence:\n{}\n"
                    + "and with it:\n{}", before, after);
            // the fence adds a look at the few lease rows; how instances and instance_states are reached does not change
            assertThat(accessPaths(after)).isNotEmpty().isEqualTo(accessPaths(before));
            assertThat(after).contains("Conflict Arbiter Indexes: instance_states_pkey");
        }
    }

    /** The write-behind statement as it was before the lease fence, to compare plans with. */
    private static final String BATCH_BEFORE_THE_FENCE = "INSERT INTO instance_states (selector, server_name, state, reason, "
            + "registered_until, contact, call_id, cseq, changed_at) "
            + "SELECT x.sel, ?, x.st, x.rs, x.ru::timestamptz, x.co, x.ci, x.cs, x.ca::timestamptz FROM unnest(?::text[], "
            + "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]) AS x(sel, st, rs, ru, co, ci, cs, ca) "
            + "WHERE EXISTS (SELECT 1 FROM instances i WHERE i.selector = x.sel) "
            + "ON CONFLICT (selector, server_name) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, "
            + "registered_until = EXCLUDED.registered_until, contact = EXCLUDED.contact, call_id = EXCLUDED.call_id, "
            + "cseq = EXCLUDED.cseq, changed_at = EXCLUDED.changed_at, written_at = clock_timestamp()";

    private static String explain(Connection c, String sql, String[] sel, Long[] nums, String[] text, boolean fenced)
            throws Exception {
        int n = sel.length;
        List<String> plan = new ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            java.sql.Array sels = c.createArrayOf("text", sel);
            java.sql.Array t = c.createArrayOf("text", text);
            java.sql.Array times = c.createArrayOf("text", java.util.Collections.nCopies(n, "2030-01-01T00:00:00Z").toArray());
            java.sql.Array eps = c.createArrayOf("bigint", nums);
            ps.setString(1, "A");
            ps.setArray(2, sels);
            ps.setArray(3, c.createArrayOf("text", java.util.Collections.nCopies(n, "REGISTERED").toArray()));
            ps.setArray(4, t);
            ps.setArray(5, times);
            ps.setArray(6, t);
            ps.setArray(7, t);
            ps.setArray(8, c.createArrayOf("bigint", nums));
            ps.setArray(9, times);
            if (fenced) {
                ps.setArray(10, eps);
                ps.setString(11, "A");
                ps.setArray(12, sels);
                ps.setArray(13, eps);
                ps.setString(14, "A");
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
        }
        return String.join("\n", plan);
    }

    /** How the plan reaches instances and instance_states: its scan nodes on them. */
    private static List<String> accessPaths(String plan) {
        List<String> out = new ArrayList<>();
        for (String line : plan.split("\n")) {
            String l = line.trim().replaceFirst("^->\\s*", "").replaceAll("\\s*\\(cost=.*", "");
            if (l.matches(".*Scan.* instance(s|_states)( .*)?")) {
                out.add(l);
            }
        }
        return out;
    }

    private static InstanceState state(String sel, String server, long cseq) {
        return new InstanceState(sel, server, RegistrationState.REGISTERED, "", Optional.of(Instant.now().plusSeconds(600)),
                Optional.of("sip:s" + sel + "@127.0.0.1:5070"), "call-1@sipis", cseq, Instant.now());
    }

    private static long cseq(DatabaseSettings db, String sel, String server) throws Exception {
        try (Connection c = pg.connect(TestPg.dbname(db));
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT cseq FROM instance_states WHERE selector = ? AND server_name = ?")) {
            ps.setString(1, sel);
            ps.setString(2, server);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private static void lapse(DatabaseSettings db, String prefix) throws Exception {
        try (Connection c = pg.connect(TestPg.dbname(db)); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE shard_leases SET expires_at = now() - interval '1 second' WHERE prefix = '" + prefix + "'");
        }
    }
}
