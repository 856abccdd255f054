package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.shard.Shard;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreTest {

    private static TestPg pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    @Test
    void migratesAnEmptyDatabase() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1"); Connection c = pg.connect(TestPg.dbname(db));
             Statement s = c.createStatement()) {
            List<String> versions = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT version, success FROM sipis_schema_history WHERE version IS NOT NULL"
                    + " ORDER BY installed_rank")) {
                while (rs.next()) {
                    versions.add(rs.getString(1));
                    assertThat(rs.getBoolean(2)).isTrue();
                }
            }
            assertThat(versions).startsWith("1", "2", "3", "4");
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("instances", "device_tokens", "instance_states", "calls", "text_messages",
                    "push_tests", "badge_counts", "instance_deletions");
        }
        // A second open of the same database finds the schema current and changes nothing.
        try (Store again = TestPg.open(db, "Sipis1")) {
            assertThat(again.find("ABCD").get()).isEmpty();
        }
    }

    @Test
    void shardBoundsAreAnIndexRangeScan() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1"); Connection c = pg.connect(TestPg.dbname(db))) {
            try (Statement s = c.createStatement()) {
                s.execute("SET enable_seqscan = off");
                s.execute("SET enable_bitmapscan = off");
            }
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN SELECT selector FROM instances"
                    + " WHERE selector >= '8' AND selector < 'C' ORDER BY selector");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("Index").contains("instances_pkey").contains("Index Cond")
                    .doesNotContain("Sort").doesNotContain("Seq Scan");
        }
    }

    @Test
    void savesFindsRemovesTokensAndDeletes() throws Exception {
        try (Store store = TestPg.open(pg.newDatabase(), "Sipis1")) {
            InstanceRecord r = TestPg.record("0123456789ABCDEF0123456789ABCDEF01234567:7C3A0D14", "com.example.app",
                    "hunter2");
            store.saveRegistration(r).get();
            assertThat(store.find(r.selector().toLowerCase()).get()).contains(r);

            assertThat(store.removeToken(r.selector(), "voip-" + r.selector()).get()).isTrue();
            assertThat(store.removeToken(r.selector(), "voip-" + r.selector()).get()).isFalse();
            assertThat(store.find(r.selector()).get().orElseThrow().tokens()).hasSize(1);

            assertThat(store.delete(r.selector()).get()).isTrue();
            assertThat(store.delete(r.selector()).get()).isFalse();
            assertThat(store.find(r.selector()).get()).isEmpty();
        }
    }

    @Test
    void savingAgainReplacesTheTokenSet() throws Exception {
        try (Store store = TestPg.open(pg.newDatabase(), "Sipis1")) {
            InstanceRecord first = TestPg.record("ABCD01", "com.example", "pw1");
            store.saveRegistration(first).get();
            DeviceToken kept = first.tokens().get(1);
            DeviceToken added = new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.INCOMING_CALL, "com.example",
                    "fcm-new", TestPg.T0.plusSeconds(5));
            InstanceRecord second = new InstanceRecord(first.selector(), first.appId(), !first.premium(),
                    first.account(), first.appSecret(), List.of(added, kept), TestPg.T0.plusSeconds(9), true);
            store.saveRegistration(second).get();
            assertThat(store.find("ABCD01").get()).contains(second);
            InstanceRecord none = new InstanceRecord(first.selector(), first.appId(), false, first.account(),
                    first.appSecret(), List.of(), TestPg.T0, false);
            store.saveRegistration(none).get();
            assertThat(store.find("ABCD01").get()).contains(none);
        }
    }

    @Test
    void restartRoundTripLoadsWhatWasSaved() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Map<String, InstanceRecord> saved = new HashMap<>();
        Map<String, InstanceState> states = new HashMap<>();
        try (Store store = TestPg.open(db, "Sipis1")) {
            for (int i = 0; i < 50; i++) {
                InstanceRecord r = TestPg.record(String.format("%040X", (long) i * 0x1111_1111_1111L), "com.example", "pw" + i);
                store.saveRegistration(r).get();
                saved.put(r.selector(), r);
                if (i % 2 == 0) {
                    InstanceState s = new InstanceState(r.selector(), "Sipis1", RegistrationState.REGISTERED, "",
                            Optional.of(TestPg.T0.plusSeconds(600)), Optional.of("<sip:x@127.0.0.1:5070>"),
                            "call-" + i, 40 + i, TestPg.T0.plusSeconds(i));
                    store.stateWriter().write(s);
                    states.put(r.selector(), s);
                }
            }
        } // close writes the pending states
        Map<String, LoadedInstance> loaded = new HashMap<>();
        try (Store store = TestPg.open(db, "Sipis1")) {
            assertThat(store.loadShard(Shard.all("Sipis1"), l -> loaded.put(l.record().selector(), l))).isEqualTo(50);
        }
        assertThat(loaded).hasSize(50);
        for (InstanceRecord r : saved.values()) {
            LoadedInstance l = loaded.get(r.selector());
            assertThat(l.record()).isEqualTo(r);
            assertThat(l.state()).isEqualTo(Optional.ofNullable(states.get(r.selector())));
        }
    }

    /** Concurrent saves are grouped into one statement; the same selector twice in a group does not fail it. */
    @Test
    void concurrentSavesOfOneSelectorAllSucceed() throws Exception {
        try (Store store = TestPg.open(pg.newDatabase(), "Sipis1")) {
            List<java.util.concurrent.CompletableFuture<Void>> saves = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                saves.add(store.saveRegistration(TestPg.record("ABCD" + (i % 3), "com.example", "pw" + i)));
            }
            java.util.concurrent.CompletableFuture.allOf(saves.toArray(java.util.concurrent.CompletableFuture[]::new)).get();
            InstanceRecord last = store.find("ABCD2").get().orElseThrow();
            // concurrent saves have no order among themselves: any of them may be the last
            int i = Integer.parseInt(last.account().password().reveal().substring(2));
            assertThat(i % 3).isEqualTo(2);
            assertThat(last.tokens()).hasSize(2);
        }
    }

    /** The engine's last state (OFF) is written behind after the delete: it must not stay as an orphan row. */
    @Test
    void deletedInstancesLeaveNoStateRows() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        int n = 500;
        try (Store store = TestPg.open(db, "Sipis1")) {
            List<java.util.concurrent.CompletableFuture<Void>> saves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                saves.add(store.saveRegistration(TestPg.record(String.format("%08X", i), "com.example", "pw")));
            }
            java.util.concurrent.CompletableFuture.allOf(saves.toArray(java.util.concurrent.CompletableFuture[]::new)).get();
            StateWriter w = store.stateWriter();
            for (int i = 0; i < n; i++) {
                w.write(state(String.format("%08X", i), RegistrationState.REGISTERED));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> w.pendingCount() == 0);
            for (int i = 0; i < n; i++) {
                String sel = String.format("%08X", i);
                store.delete(sel).get();
                w.write(state(sel, RegistrationState.OFF));   // the unregistration's state, after the delete
            }
            w.write(state("00000000", RegistrationState.OFF));
            await().atMost(Duration.ofSeconds(30)).until(() -> w.pendingCount() == 0);
            assertThat(w.rejectedCount()).isZero();
        }
        try (Connection c = pg.connect(TestPg.dbname(db)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM instance_states")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    private static InstanceState state(String selector, RegistrationState st) {
        return new InstanceState(selector, "Sipis1", st, "", Optional.empty(), Optional.empty(), "cid", 1, TestPg.T0);
    }

    /** A drained backlog (a restart's states) leaves a small map behind: a map's table never shrinks. */
    @Test
    void stateWriterReplacesItsQueueOnceABacklogDrained() throws Exception {
        try (Store store = TestPg.open(pg.newDatabase(), "Sipis1")) {
            StateWriter w = store.stateWriter();
            for (int i = 0; i < 4 * StateWriter.SHRINK_ABOVE; i++) {
                w.write(state(String.format("%08X", i), RegistrationState.REGISTERED)); // no such rows: refused, still written out
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> w.pendingCount() == 0 && w.pendingPeak() == 0);
            w.write(state("ABCDEF01", RegistrationState.REGISTERED));
            await().atMost(Duration.ofSeconds(10)).until(() -> w.pendingCount() == 0);
        }
    }

    @Test
    void stateWriterCoalescesPerSelector() throws Exception {
        try (Store store = TestPg.open(pg.newDatabase(), "Sipis1")) {
            InstanceRecord r = TestPg.record("ABCDEF", "com.example", "pw");
            store.saveRegistration(r).get();
            StateWriter w = store.stateWriter();
            for (int cseq = 1; cseq <= 100; cseq++) {
                w.write(new InstanceState("ABCDEF", "Sipis1", RegistrationState.REGISTERING, "", Optional.empty(),
                        Optional.empty(), "cid", cseq, TestPg.T0));
            }
            assertThat(w.pendingCount()).isLessThanOrEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> w.pendingCount() == 0);
            List<LoadedInstance> l = new ArrayList<>();
            store.loadShard(Shard.all("Sipis1"), l::add);
            assertThat(l.get(0).state().orElseThrow().cseq()).isEqualTo(100);
        }
    }

    @Test
    void resealsSecretsOfARetiredKey() throws Exception {
        byte[] oldRaw = new byte[16];
        byte[] newRaw = new byte[16];
        newRaw[0] = 1;
        SipisKey oldKey = SipisKey.of(oldRaw);
        SipisKey rotated = SipisKey.of(newRaw, List.of(oldRaw));
        DatabaseSettings db = pg.newDatabase();
        InstanceRecord r = TestPg.record("FEED", "com.example", "s3cret");
        try (Store store = Store.open(db, TestPg.FAST, oldKey, "Sipis1", java.time.Clock.systemUTC())) {
            store.saveRegistration(r).get();
        }
        try (Store store = Store.open(db, TestPg.FAST, rotated, "Sipis1", java.time.Clock.systemUTC())) {
            assertThat(store.reseal(rotated)).isEqualTo(2);
            assertThat(store.reseal(rotated)).isZero();
        }
        try (Store store = Store.open(db, TestPg.FAST, SipisKey.of(newRaw), "Sipis1", java.time.Clock.systemUTC())) {
            assertThat(store.find("FEED").get()).contains(r);
        }
    }

    @Test
    void instantsKeepMillisecondPrecision() throws Exception {
        try (Store store = TestPg.open(pg.newDatabase(), "Sipis1")) {
            InstanceRecord r = TestPg.record("AB12", "com.example", "pw");
            store.saveRegistration(r).get();
            Instant at = store.find("AB12").get().orElseThrow().lastAppContact();
            assertThat(at).isEqualTo(r.lastAppContact());
        }
    }
}
