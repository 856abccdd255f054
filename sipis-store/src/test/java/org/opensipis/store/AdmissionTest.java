package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.abuse.Admission;
import org.opensipis.core.abuse.AdmissionStore.Origins;
import org.opensipis.core.abuse.Origin;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.DatabaseSettings;

/**
 * Quotas are counted in the shared database: two processes (two stores on one database)
 * registering at once never overshoot them. The audit keeps the first and the latest origin.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdmissionTest {

    private static TestPg pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    private static InstanceRecord record(String selector, String user, String proxy) {
        InstanceRecord r = TestPg.record(selector, "com.example.app", "pw");
        SipAccount a = r.account();
        SipAccount b = new SipAccount(user, user, a.password(), "example.com", Optional.ofNullable(proxy), a.port(),
                a.transport(), a.displayName(), a.expires());
        return new InstanceRecord(r.selector(), r.appId(), r.premium(), b, r.appSecret(), r.tokens(), r.lastAppContact(),
                r.appForeground());
    }

    private static Origin origin(String address) {
        return new Origin(address, Optional.of("127.0.0.1"), Instant.parse("2026-12-01T10:00:00Z"), "com.example.app");
    }

    @Test
    void twoProcessesRegisteringAtOnceNeverOvershootTheQuotas() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store one = TestPg.open(db, "Sipis1"); Store two = TestPg.open(db, "Sipis2")) {
            Quotas quotas = new Quotas(7, 5);
            List<CompletableFuture<Admission>> userRace = new ArrayList<>();
            List<CompletableFuture<Admission>> registrarRace = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Store s = i % 2 == 0 ? one : two;
                userRace.add(s.admit(record(String.format("A%07X", i), "alice", "sip.victim.example"), origin("198.51.100.1"),
                        quotas));
                registrarRace.add(s.admit(record(String.format("B%07X", i), "user" + i, "PBX.other.example"),
                        origin("198.51.100.2"), quotas));
            }
            assertThat(userRace.stream().map(CompletableFuture::join).filter(Admission::isStored).count()).isEqualTo(5);
            assertThat(userRace.stream().map(CompletableFuture::join).filter(a -> !a.isStored()).findFirst().orElseThrow()
                    .message()).contains("SIP user alice@example.com already has 5 instances")
                    .contains("MaxInstancesPerUser");
            assertThat(registrarRace.stream().map(CompletableFuture::join).filter(Admission::isStored).count()).isEqualTo(7);
            assertThat(registrarRace.stream().map(CompletableFuture::join)
                    .filter(a -> a.outcome() == Admission.Outcome.REGISTRAR_QUOTA).count()).isEqualTo(33);

            // an instance already stored re-registers even at the quota, through the other process
            int first = 0;
            while (!userRace.get(first).join().isStored()) {
                first++;
            }
            InstanceRecord again = one.find(String.format("A%07X", first)).join().orElseThrow();
            Admission re = two.admit(again, origin("203.0.113.9"), quotas).join();
            assertThat(re.isStored()).isTrue();
            assertThat(re.created()).isFalse();

            Map<String, Origins> o = one.origins(List.of(again.selector(), "FFFF", "B0000000")).join();
            assertThat(o).containsKey(again.selector()).doesNotContainKey("FFFF");
            assertThat(o.get(again.selector()).created().address()).isEqualTo("198.51.100.1");
            assertThat(o.get(again.selector()).created().via()).contains("127.0.0.1");
            assertThat(o.get(again.selector()).latest().address()).isEqualTo("203.0.113.9");
            assertThat(o.get(again.selector()).latest().appId()).isEqualTo("com.example.app");
        }
    }

    @Test
    void noQuotaMeansNoLimitAndPlainSavesKeepTheAudit() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1")) {
            for (int i = 0; i < 30; i++) {
                assertThat(store.admit(record(String.format("C%07X", i), "bob", null), origin("192.0.2.1"), Quotas.NONE)
                        .join().isStored()).isTrue();
            }
            InstanceRecord r = store.find("C0000000").join().orElseThrow();
            store.saveRegistration(r).join(); // a refresh: the audit stays
            assertThat(store.origins(List.of("C0000000")).join().get("C0000000").created().address()).isEqualTo("192.0.2.1");
        }
    }

    /**
     * A registrar far below its quota is locked shared (groups commit concurrently); one near its
     * quota falls back to the exclusive lock and the quota holds exactly, across two processes.
     * The quotas here are above max_connections × group size, the margin the shared lock needs.
     */
    @Test
    void largeRegistrarsAdmitConcurrentlyFarFromTheQuotaAndExactlyNearIt() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store one = TestPg.open(db, "Sipis1"); Store two = TestPg.open(db, "Sipis2")) {
            int margin;
            try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT current_setting('max_connections')::int")) {
                rs.next();
                margin = rs.getInt(1) * StoreIo.BATCH;
            }
            int stored = margin + 2 * StoreIo.BATCH;
            assertThat(one.admit(record("D0000000", "template", "near.example"), origin("192.0.2.9"), Quotas.NONE).join()
                    .isStored()).isTrue();
            copy(db, "D0000000", stored - 1);   // the registrar near.example now has `stored` instances
            Quotas near = new Quotas(stored + 5, 0);
            Quotas far = new Quotas(10 * stored, 0);
            List<CompletableFuture<Admission>> nearRace = new ArrayList<>();
            List<CompletableFuture<Admission>> farRace = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Store s = i % 2 == 0 ? one : two;
                nearRace.add(s.admit(record(String.format("E%07X", i), "near" + i, "near.example"), origin("198.51.100.3"),
                        near));
                farRace.add(s.admit(record(String.format("F%07X", i), "far" + i, "far.example"), origin("198.51.100.4"), far));
            }
            assertThat(nearRace.stream().map(CompletableFuture::join).filter(Admission::isStored).count()).isEqualTo(5);
            assertThat(nearRace.stream().map(CompletableFuture::join)
                    .filter(a -> a.outcome() == Admission.Outcome.REGISTRAR_QUOTA).count()).isEqualTo(35);
            assertThat(farRace.stream().map(CompletableFuture::join).filter(Admission::isStored).count()).isEqualTo(40);
            assertThat(one.origins(List.of("F0000001")).join().get("F0000001").created().address())
                    .isEqualTo("198.51.100.4");
        }
    }

    /**
     * The quota counts kept by V6's triggers match a count of the rows after every kind of change:
     * admissions, a refresh, a move to another registrar and user, deletes, an operator's SQL.
     */
    @Test
    void quotaCountsFollowEveryChangeOfTheInstances() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1")) {
            for (int i = 0; i < 12; i++) {
                assertThat(store.admit(record(String.format("A1%06X", i), "u" + (i % 3), i % 2 == 0 ? "Even.example" : null),
                        origin("192.0.2.1"), new Quotas(100, 100)).join().isStored()).isTrue();
            }
            assertCountsMatchRows(db);
            store.saveRegistration(store.find("A1000000").join().orElseThrow()).join();
            store.admit(record("A1000001", "moved", "other.example"), origin("192.0.2.1"), new Quotas(100, 100)).join();
            assertThat(store.delete("A1000002").join()).isTrue();
            assertThat(store.delete("A1000003").join()).isTrue();
            assertCountsMatchRows(db);
            copy(db, "A1000004", 25);
            try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement()) {
                st.execute("UPDATE instances SET sip_domain = 'Renamed.example' WHERE selector LIKE '9%' AND selector < '90000010'");
                st.execute("DELETE FROM instances WHERE selector LIKE '9%' AND selector > '90000014'");
            }
            assertCountsMatchRows(db);
            // and the admission reads them: 16 instances at even.example now, quota 16 refuses the next
            long even;
            try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM instances WHERE " + PgAdmissions.REGISTRAR
                         + " = 'even.example'")) {
                rs.next();
                even = rs.getLong(1);
            }
            Admission refused = store.admit(record("B1000000", "new", "even.example"), origin("192.0.2.1"),
                    new Quotas((int) even, 0)).join();
            assertThat(refused.outcome()).isEqualTo(Admission.Outcome.REGISTRAR_QUOTA);
            assertThat(store.admit(record("B1000000", "new", "even.example"), origin("192.0.2.1"),
                    new Quotas((int) even + 1, 0)).join().isStored()).isTrue();
            assertCountsMatchRows(db);
        }
    }

    private static void assertCountsMatchRows(DatabaseSettings db) throws Exception {
        String counted = "SELECT 0 AS kind, " + PgAdmissions.REGISTRAR + " AS key, count(*) AS n FROM instances GROUP BY 2 "
                + "UNION ALL SELECT 1, " + PgAdmissions.USER + ", count(*) FROM instances GROUP BY 2";
        try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM ((" + counted + ") EXCEPT "
                     + "(SELECT kind, key, n FROM admission_counts WHERE n <> 0)) d")) {
            rs.next();
            assertThat(rs.getLong(1)).as("keys whose kept count differs from the rows").isZero();
        }
        try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM ((SELECT kind, key, n FROM admission_counts "
                     + "WHERE n <> 0) EXCEPT (" + counted + ")) d")) {
            rs.next();
            assertThat(rs.getLong(1)).as("kept counts of keys with no such rows").isZero();
        }
    }

    /**
     * A process filling a new database analyses the registration tables itself after 1,000
     * instances (GrowthStatistics), so the pooled connections' plans are made again on real
     * sizes instead of scanning every token for a minute.
     */
    @Test
    void fillingANewDatabaseAnalysesItsTables() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1")) {
            assertThat(lastAnalyze(db)).isNull();
            List<CompletableFuture<Admission>> all = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                all.add(store.admit(record(String.format("C%07X", i), "user" + i, null), origin("192.0.2.7"),
                        new Quotas(0, 0)));
            }
            assertThat(all.stream().map(CompletableFuture::join).filter(Admission::isStored).count()).isEqualTo(1_000);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(lastAnalyze(db)).isNotNull());
        }
    }

    /**
     * The save carries its transaction's COMMIT; when PostgreSQL refuses one registration of a
     * group, the COMMIT is skipped, the group rolled back, and each registration tried alone:
     * only the refused one fails, the others are stored and committed.
     */
    @Test
    void aRegistrationTheDatabaseRefusesFailsAloneInItsGroup() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1")) {
            List<CompletableFuture<Admission>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                InstanceRecord r = record(String.format("D%07X", i), "user" + i, null);
                if (i == 17) {   // text with a NUL character: PostgreSQL refuses it
                    SipAccount a = r.account();
                    r = new InstanceRecord(r.selector(), r.appId(), r.premium(), new SipAccount(a.user(), a.authUser(),
                            a.password(), a.domain(), a.proxy(), a.port(), a.transport(), "Bad\u0000Name", a.expires()),
                            r.appSecret(), r.tokens(), r.lastAppContact(), r.appForeground());
                }
                all.add(store.admit(r, origin("192.0.2.8"), new Quotas(0, 0)));
            }
            for (int i = 0; i < 40; i++) {
                CompletableFuture<Admission> f = all.get(i);
                if (i == 17) {
                    assertThat(f).failsWithin(java.time.Duration.ofSeconds(30));
                } else {
                    assertThat(f.join().isStored()).isTrue();
                }
            }
            try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM instances WHERE selector LIKE 'D%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(39);
            }
        }
    }

    private static Object lastAnalyze(DatabaseSettings db) throws Exception {
        try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT last_analyze FROM pg_stat_user_tables "
                     + "WHERE relname = 'device_tokens'")) {
            rs.next();
            return rs.getObject(1);
        }
    }

    /** Copies one stored instance {@code n} times under new selectors (set-based, for a large count). */
    private static void copy(DatabaseSettings db, String template, int n) throws Exception {
        try (java.sql.Connection c = pg.connect(TestPg.dbname(db)); java.sql.Statement st = c.createStatement()) {
            List<String> columns = new ArrayList<>();
            try (java.sql.ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns "
                    + "WHERE table_name = 'instances' AND column_name <> 'selector'")) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
            String cols = String.join(", ", columns);
            st.execute("INSERT INTO instances (selector, " + cols + ") SELECT '9' || upper(lpad(to_hex(g), 7, '0')), " + cols
                    + " FROM instances, generate_series(1, " + n + ") g WHERE selector = '" + template + "'");
        }
    }
}
