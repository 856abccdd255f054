package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.call.CallLog;
import org.opensipis.core.call.MissedCall;
import org.opensipis.core.call.TextMessage;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.settings.DatabaseSettings;
import org.postgresql.PGConnection;

/** {@link Store#callLog()} on a real PostgreSQL: one server for the class, a database per test. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallLogTest {

    private static final String SEL = "C0FFEE0000000000000000000000000000000001";
    private static TestPg pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    private static MissedCall call(String callId, int second) {
        Instant at = TestPg.T0.plusSeconds(second);
        return new MissedCall(callId, "Bob", "sip:bob@example.org", at, at.plusMillis(1_500), "cancelled");
    }

    private static TextMessage message(String msgId, String body, int second) {
        return new TextMessage(msgId, "<sip:carol@example.org>;tag=1", "text/plain", body,
                "X-Secret-Header: hush-" + msgId, TestPg.T0.plusSeconds(second));
    }

    private static Store registered(DatabaseSettings db, String serverName) throws Exception {
        Store store = TestPg.open(db, serverName);
        store.saveRegistration(TestPg.record(SEL, "com.example", "pw")).get();
        return store;
    }

    @Test
    void recordsListsCountsAndClears() throws Exception {
        try (Store store = registered(pg.newDatabase(), "Sipis1")) {
            CallLog log = store.callLog();
            assertThat(store.callLog()).isSameAs(log);
            assertThat(log.badge(SEL).get()).isZero();

            AtomicReference<String> thread = new AtomicReference<>();
            CompletableFuture<Integer> first = log.recordMissedCall(SEL.toLowerCase(java.util.Locale.ROOT), call("c1", 1));
            assertThat(first.thenApply(b -> {
                thread.set(Thread.currentThread().getName());
                return b;
            }).get()).isEqualTo(1);
            // completed on a store io thread; a callback attached only after that (the test thread
            // descheduled for the write's millisecond) runs on the attaching thread instead
            assertThat(thread.get()).matches(n -> n.startsWith("sipis-store-io-") || n.equals(Thread.currentThread().getName()),
                    "a store io thread, or this one if the future was already complete");

            assertThat(log.recordTextMessage(SEL, message("m1", "hello", 2)).get()).isEqualTo(2);
            assertThat(log.recordMissedCall(SEL, call("c2", 3)).get()).isEqualTo(3);
            assertThat(log.recordTextMessage(SEL, message("m2", "again", 4)).get()).isEqualTo(4);

            assertThat(log.badge(SEL).get()).isEqualTo(4);
            assertThat(log.missedCalls(SEL).get()).containsExactly(call("c1", 1), call("c2", 3));
            assertThat(log.textMessages(SEL).get()).containsExactly(message("m1", "hello", 2), message("m2", "again", 4));

            log.clear(SEL).get();
            assertThat(log.badge(SEL).get()).isZero();
            assertThat(log.missedCalls(SEL).get()).isEmpty();
            assertThat(log.textMessages(SEL).get()).isEmpty();
            assertThat(log.recordMissedCall(SEL, call("c3", 5)).get()).isEqualTo(1);

            // Unknown selectors read as empty and clear without error.
            String other = "ABCDEF";
            assertThat(log.badge(other).get()).isZero();
            assertThat(log.missedCalls(other).get()).isEmpty();
            assertThat(log.textMessages(other).get()).isEmpty();
            log.clear(other).get();
        }
    }

    @Test
    void recordingTheSameCallOrMessageTwiceCountsOnce() throws Exception {
        try (Store store = registered(pg.newDatabase(), "Sipis1")) {
            CallLog log = store.callLog();
            assertThat(log.recordMissedCall(SEL, call("c1", 1)).get()).isEqualTo(1);
            assertThat(log.recordMissedCall(SEL, call("c1", 1)).get()).isEqualTo(1);
            assertThat(log.recordTextMessage(SEL, message("m1", "hello", 2)).get()).isEqualTo(2);
            assertThat(log.recordTextMessage(SEL, message("m1", "hello", 2)).get()).isEqualTo(2);
            // Concurrent duplicates: the unique key serialises them, still one row each.
            List<CompletableFuture<Integer>> burst = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                burst.add(log.recordMissedCall(SEL, call("c2", 3)));
                burst.add(log.recordTextMessage(SEL, message("m2", "again", 4)));
            }
            CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).get();
            assertThat(log.badge(SEL).get()).isEqualTo(4);
            assertThat(log.missedCalls(SEL).get()).hasSize(2);
            assertThat(log.textMessages(SEL).get()).hasSize(2);
        }
    }

    @Test
    void survivesANewStoreOnTheSameDatabase() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = registered(db, "Sipis1")) {
            store.callLog().recordMissedCall(SEL, call("c1", 1)).get();
            store.callLog().recordTextMessage(SEL, message("m1", "kept across restarts", 2)).get();
        }
        try (Store again = TestPg.open(db, "Sipis1")) {
            CallLog log = again.callLog();
            assertThat(log.badge(SEL).get()).isEqualTo(2);
            assertThat(log.missedCalls(SEL).get()).containsExactly(call("c1", 1));
            assertThat(log.textMessages(SEL).get()).containsExactly(message("m1", "kept across restarts", 2));
        }
    }

    @Test
    void bodyAndHeadersAreNotStoredInPlainText() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store store = registered(db, "Sipis1")) {
            store.callLog().recordTextMessage(SEL, message("m1", "Pl41n-b0dy-xyzzy", 1)).get();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Connection c = pg.connect(TestPg.dbname(db))) {
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY text_messages TO STDOUT", out);
        }
        String dump = out.toString(StandardCharsets.UTF_8);
        assertThat(dump).contains("m1").contains("carol@example.org").contains("v1.");
        assertThat(dump).doesNotContain("Pl41n-b0dy-xyzzy").doesNotContain("hush-m1").doesNotContain("X-Secret-Header");
    }

    @Test
    void aBurstOfMissedCallsSharesTransactionsButEachGetsItsOwnBadgeAndFailure() throws Exception {
        String other = "C0FFEE0000000000000000000000000000000002";
        try (Store store = registered(pg.newDatabase(), "Sipis1")) {
            store.saveRegistration(TestPg.record(other, "com.example", "pw")).get();
            CallLog log = store.callLog();
            List<CompletableFuture<Integer>> mine = new java.util.ArrayList<>();
            List<CompletableFuture<Integer>> theirs = new java.util.ArrayList<>();
            List<CompletableFuture<Integer>> unknown = new java.util.ArrayList<>();
            for (int i = 0; i < 150; i++) {   // queued faster than one transaction: grouped
                mine.add(log.recordMissedCall(SEL, call("a" + i, i)));
                theirs.add(log.recordMissedCall(other, call("b" + i, i)));
                if (i % 50 == 0) {
                    unknown.add(log.recordMissedCall("DEAD01", call("x" + i, i)));
                }
            }
            List<Integer> badges = new java.util.ArrayList<>();
            for (CompletableFuture<Integer> f : mine) {
                badges.add(f.get());
            }
            // each call's badge counts it and the calls recorded before it, none twice
            assertThat(badges).doesNotHaveDuplicates().allMatch(b -> b >= 1 && b <= 150);
            assertThat(badges.stream().mapToInt(Integer::intValue).max().getAsInt()).isEqualTo(150);
            for (CompletableFuture<Integer> f : theirs) {
                f.get();
            }
            for (CompletableFuture<Integer> f : unknown) {
                assertThatThrownBy(f::get).cause().isInstanceOf(StoreException.class)
                        .hasMessageContaining("selector DEAD01");
            }
            assertThat(log.badge(SEL).get()).isEqualTo(150);
            assertThat(log.badge(other).get()).isEqualTo(150);
            assertThat(log.missedCalls(other).get()).hasSize(150);
        }
    }

    @Test
    void recordingForAnUnknownSelectorFailsWithAClearMessage() throws Exception {
        try (Store store = TestPg.open(pg.newDatabase(), "Sipis1")) {
            CallLog log = store.callLog();
            assertThatThrownBy(() -> log.recordMissedCall("dead01", call("c1", 1)).get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StoreException.class).hasNoCause()
                    .hasMessage("cannot record missed call c1 of selector DEAD01: no instance has selector DEAD01"
                            + " (never registered, or deleted)");
            assertThatThrownBy(() -> log.recordTextMessage("DEAD01", message("m1", "x", 1)).get())
                    .cause().isInstanceOf(StoreException.class).hasNoCause()
                    .hasMessageContaining("text message m1").hasMessageContaining("selector DEAD01");
            assertThatThrownBy(() -> log.recordMissedCall("not hex", call("c1", 1)).get())
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not hex");
            assertThat(log.badge("DEAD01").get()).isZero();
        }
    }

    @Test
    void twoServersShareTheBadge() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store one = registered(db, "Sipis1"); Store two = TestPg.open(db, "Sipis2")) {
            assertThat(one.callLog().recordMissedCall(SEL, call("c1", 1)).get()).isEqualTo(1);
            assertThat(two.callLog().recordTextMessage(SEL, message("m1", "hi", 2)).get()).isEqualTo(2);
            // The same call reported by the other server is not counted again.
            assertThat(two.callLog().recordMissedCall(SEL, call("c1", 1)).get()).isEqualTo(2);
            assertThat(one.callLog().badge(SEL).get()).isEqualTo(2);
            assertThat(two.callLog().missedCalls(SEL).get()).containsExactly(call("c1", 1));
            assertThat(one.callLog().textMessages(SEL).get()).containsExactly(message("m1", "hi", 2));
            two.callLog().clear(SEL).get();
            assertThat(one.callLog().badge(SEL).get()).isZero();
        }
    }

    @Test
    void deletingTheInstanceForgetsItsCallLog() throws Exception {
        try (Store store = registered(pg.newDatabase(), "Sipis1")) {
            store.callLog().recordMissedCall(SEL, call("c1", 1)).get();
            store.callLog().recordTextMessage(SEL, message("m1", "hi", 2)).get();
            assertThat(store.delete(SEL).get()).isTrue();
            assertThat(store.callLog().badge(SEL).get()).isZero();
            assertThat(store.callLog().missedCalls(SEL).get()).isEmpty();
            assertThat(store.callLog().textMessages(SEL).get()).isEmpty();
        }
    }

    @Test
    void keyRotationSealsBodiesAndHeadersAgain() throws Exception {
        byte[] oldRaw = new byte[16];
        byte[] newRaw = new byte[16];
        newRaw[0] = 2;
        DatabaseSettings db = pg.newDatabase();
        try (Store store = Store.open(db, TestPg.FAST, SipisKey.of(oldRaw), "Sipis1", Clock.systemUTC())) {
            store.saveRegistration(TestPg.record(SEL, "com.example", "pw")).get();
            store.callLog().recordTextMessage(SEL, message("m1", "rotate me", 1)).get();
        }
        SipisKey rotated = SipisKey.of(newRaw, List.of(oldRaw));
        try (Store store = Store.open(db, TestPg.FAST, rotated, "Sipis1", Clock.systemUTC())) {
            assertThat(store.reseal(rotated)).isEqualTo(4);   // password, app secret, body, headers
        }
        try (Store store = Store.open(db, TestPg.FAST, SipisKey.of(newRaw), "Sipis1", Clock.systemUTC())) {
            assertThat(store.callLog().textMessages(SEL).get()).containsExactly(message("m1", "rotate me", 1));
        }
    }
}
