package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.opensipis.core.instance.StoreUnavailableException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.DatabaseSettings;

/** PostgreSQL goes away while states keep changing; everything is written once it is back. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OutageTest {

    private static final int CHANGES = 1_000;
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
    void stateChangesMadeWhileTheDatabaseIsDownAreAllWrittenAfterwards() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1")) {
            List<CompletableFuture<Void>> saves = new ArrayList<>();
            for (int i = 0; i < CHANGES; i++) {
                saves.add(store.saveRegistration(TestPg.record(selector(i), "com.example", "pw" + i)));
            }
            CompletableFuture.allOf(saves.toArray(CompletableFuture[]::new)).get();
            StateWriter writer = store.stateWriter();

            pg.stop();
            for (int i = 0; i < CHANGES; i++) {
                writer.write(new InstanceState(selector(i), "Sipis1", RegistrationState.REGISTERED, "",
                        Optional.of(TestPg.T0.plusSeconds(3600)), Optional.empty(), "call-" + i, 1000 + i,
                        TestPg.T0.plusMillis(i)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !writer.isDatabaseAvailable());
            assertThat(writer.pendingCount()).isEqualTo(CHANGES);
            assertThat(store.find(selector(1)))
                    .failsWithin(Duration.ofSeconds(30)).withThrowableThat().withMessageContaining(selector(1));

            pg.restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> writer.isDatabaseAvailable() && writer.pendingCount() == 0);
            assertThat(writer.rejectedCount()).isZero();
        }
        try (Connection c = pg.connect(TestPg.dbname(db)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(cseq) FROM instance_states"
                     + " WHERE server_name = 'Sipis1' AND state = 'REGISTERED'")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(CHANGES);
            assertThat(rs.getLong(2)).isEqualTo(1000L * CHANGES + (long) CHANGES * (CHANGES - 1) / 2);
        }
    }

    /**
     * While the database is known to be down, a registration fails at once (an already completed
     * future, no thread held for the connection timeout) with "the database is unavailable",
     * while one call at a time probes; the first success after the restart ends the outage.
     * Nothing that succeeded is lost.
     */
    @Test
    void registrationsFailAtOnceWhileTheDatabaseIsKnownDown() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = TestPg.open(db, "Sipis1")) {
            store.saveRegistration(TestPg.record(selector(1), "com.example", "pw")).get();
            pg.stop();
            try {
                refusedAtOnce(store);
            } finally {
                pg.restart();
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> store.saveRegistration(TestPg.record(selector(5), "com.example", "pw"))
                            .get(10, java.util.concurrent.TimeUnit.SECONDS) == null);
            assertThat(store.find(selector(1)).get()).isPresent();
            assertThat(store.find(selector(5)).get()).isPresent();
        }
    }

    private static void refusedAtOnce(Store store) {
        {
            assertThat(store.saveRegistration(TestPg.record(selector(2), "com.example", "pw")))
                    .failsWithin(Duration.ofSeconds(30)).withThrowableThat()
                    .havingCause().isInstanceOf(StoreUnavailableException.class);
            // the database is now known down: one call at a time probes it (it waits for a
            // connection) and every other call meanwhile is refused without waiting. A probe that
            // got a stale pooled connection fails within microseconds and the next call probes
            // again, so of a burst all but the few probes (at most one per pooled connection)
            // must be refused at once
            List<CompletableFuture<Void>> burst = new ArrayList<>();
            for (int i = 3; i < 15; i++) {
                burst.add(store.saveRegistration(TestPg.record(selector(i), "com.example", "pw")));
            }
            List<Integer> refusedAtOnce = new ArrayList<>();
            for (int i = 0; i < burst.size(); i++) {
                if (burst.get(i).isCompletedExceptionally()) {
                    refusedAtOnce.add(i);
                }
            }
            assertThat(refusedAtOnce).as("calls refused without waiting, of %d", burst.size()).hasSizeGreaterThanOrEqualTo(6);
            int first = refusedAtOnce.get(0);
            assertThat(burst.get(first)).failsWithin(Duration.ZERO).withThrowableThat()
                    .havingCause().isInstanceOf(StoreUnavailableException.class)
                    .withMessageContaining("the database is unavailable").withMessageContaining(selector(first + 3));
            CompletableFuture<Void> probe = CompletableFuture.allOf(burst.toArray(new CompletableFuture[0]));
            assertThat(probe).failsWithin(Duration.ofSeconds(30));
        }
    }

    private static String selector(int i) {
        return String.format("%08X:%08X", i * 2_654_435_761L & 0xFFFF_FFFFL, i);
    }
}
