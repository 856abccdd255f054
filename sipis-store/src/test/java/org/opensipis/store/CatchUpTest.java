package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.core.shard.Shard;
import org.slf4j.LoggerFactory;

/**
 * A process restarts while another one changes 1,000 registrations: between its shard load and
 * its LISTEN, and while its catch-up runs. Every change reaches it, read set-based, and nothing
 * is logged at WARN or above.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CatchUpTest {

    private static final int STORED = 2_000;
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
    void changesMadeWhileRestartingAreAllAppliedWithoutWarnings() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        // an hourly safety-net poll: only the catch-up after LISTEN and the notifications can deliver
        RestartSettings hourly = new RestartSettings(Duration.ofMillis(100), Duration.ofHours(1));
        Map<String, String> expected = new ConcurrentHashMap<>();   // selector -> display name, as the other process left it
        try (Store other = TestPg.open(db, "A")) {
            List<CompletableFuture<Void>> saves = new ArrayList<>();
            for (int i = 0; i < STORED; i++) {
                saves.add(save(other, expected, selector(i), "v0"));
            }
            CompletableFuture.allOf(saves.toArray(CompletableFuture[]::new)).get();

            try (Store restarting = Store.open(db, hourly, TestPg.KEY, "B", Clock.systemUTC(), Store.DEFAULTS)) {
                Shard shard = Shard.all("B");
                Map<String, String> held = new ConcurrentHashMap<>();
                restarting.loadShard(shard, li -> held.put(li.record().selector(), li.record().account().displayName()));
                assertThat(held).hasSize(STORED);

                // 500 changes between the load and the LISTEN: their NOTIFYs reach nobody
                change(other, expected, 0, "v1");
                restarting.listen(shard, ch -> {
                    ch.changed().forEach(r -> held.put(r.selector(), r.account().displayName()));
                    ch.deleted().forEach(held::remove);
                });
                // 500 more while the catch-up runs
                change(other, expected, 1_000, "v2");

                await().atMost(Duration.ofSeconds(60)).until(() -> held.equals(expected));
            }
        } finally {
            root.detachAppender(logs);
        }
        List<String> warnings = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(warnings).isEmpty();
    }

    /**
     * The safety-net poll reads on the listener's own connection: polling every 100 ms over
     * 2,000 changed registrations never takes the io queue, so 2,000 registrations posted at
     * the same time all succeed, and nothing is logged at WARN.
     */
    @Test
    void thePeriodicPollLeavesTheStoreQueueToRequests() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        RestartSettings busyPoll = new RestartSettings(Duration.ofMillis(100), Duration.ofMillis(100));
        Map<String, String> expected = new ConcurrentHashMap<>();
        Map<String, String> held = new ConcurrentHashMap<>();
        try (Store other = TestPg.open(db, "A");
             Store polling = Store.open(db, busyPoll, TestPg.KEY, "B", Clock.systemUTC(), Store.DEFAULTS)) {
            List<CompletableFuture<Void>> saves = new ArrayList<>();
            for (int i = 0; i < STORED; i++) {
                saves.add(save(other, expected, selector(i), "v0"));
            }
            CompletableFuture.allOf(saves.toArray(CompletableFuture[]::new)).get();
            polling.loadShard(Shard.all("B"), li -> held.put(li.record().selector(), li.record().account().displayName()));
            polling.listen(Shard.all("B"), ch -> ch.changed().forEach(r -> held.put(r.selector(), r.account().displayName())));
            List<CompletableFuture<Void>> posts = new ArrayList<>();
            for (int i = 0; i < STORED; i++) {
                posts.add(save(polling, expected, selector(STORED * 2 + i), "p"));
            }
            CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).get();   // none refused
            await().atMost(Duration.ofSeconds(60)).until(() -> held.equals(expected));
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList()).isEmpty();
    }

    /** 500 changes from {@code from}: 300 updates, 100 deletions, 100 new registrations. */
    private static void change(Store other, Map<String, String> expected, int from, String version) throws Exception {
        List<CompletableFuture<?>> fs = new ArrayList<>();
        for (int i = from; i < from + 300; i++) {
            fs.add(save(other, expected, selector(i), version));
        }
        for (int i = from + 300; i < from + 400; i++) {
            String sel = selector(i);
            expected.remove(sel);
            fs.add(other.delete(sel));
        }
        for (int i = 0; i < 100; i++) {
            fs.add(save(other, expected, selector(STORED + from + i), version));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get();
    }

    private static CompletableFuture<Void> save(Store store, Map<String, String> expected, String selector, String version) {
        InstanceRecord base = TestPg.record(selector, "com.example", "pw");
        SipAccount a = base.account();
        String name = version + " " + selector;
        SipAccount account = new SipAccount(a.user(), a.authUser(), a.password(), a.domain(), a.proxy(), a.port(),
                a.transport(), name, a.expires());
        expected.put(selector, name);
        return store.saveRegistration(new InstanceRecord(selector, base.appId(), base.premium(), account,
                base.appSecret(), base.tokens(), base.lastAppContact(), base.appForeground()));
    }

    private static String selector(int i) {
        return String.format("%08X", 0x10000000 + i * 7919);
    }

}
