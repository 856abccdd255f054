package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.core.shard.Shard;

/** Two processes with different server names and shards share one database. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShardIsolationTest {

    private static TestPg pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    /** LB2: app ids "com.vip." go to B whatever the selector; then 0/1 to A, 8/1 to B. */
    private static List<Backend> backends() {
        HostPort addr = HostPort.parse("127.0.0.1:5060");
        Path lb2 = Path.of("lb2.xml");
        return List.of(
                new Backend(Optional.of("B"), SelectorPrefix.ALL, "com.vip.", addr, lb2, 1),
                new Backend(Optional.of("A"), SelectorPrefix.parse("0/1"), "", addr, lb2, 2),
                new Backend(Optional.of("B"), SelectorPrefix.parse("8/1"), "", addr, lb2, 3));
    }

    @Test
    void eachStoreLoadsAndWritesOnlyItsOwnShard() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        Shard shardA = Shard.filtered("A", backends());
        Shard shardB = Shard.filtered("B", backends());
        Random random = new Random(42);
        Map<String, InstanceRecord> all = new HashMap<>();
        try (Store a = TestPg.open(db, "A"); Store b = TestPg.open(db, "B")) {
            for (int i = 0; i < 300; i++) {
                String sel = String.format("%016X", random.nextLong());
                String appId = i % 10 == 0 ? "com.vip.app" : "com.example.app";
                InstanceRecord r = TestPg.record(sel, appId, "pw" + i);
                (i % 2 == 0 ? a : b).saveRegistration(r).get();   // any process may store any selector
                all.put(sel, r);
            }
            List<LoadedInstance> loadedA = new ArrayList<>();
            List<LoadedInstance> loadedB = new ArrayList<>();
            a.loadShard(shardA, loadedA::add);
            b.loadShard(shardB, loadedB::add);

            Set<String> selA = selectors(loadedA);
            Set<String> selB = selectors(loadedB);
            assertThat(selA).doesNotContainAnyElementsOf(selB);
            assertThat(union(selA, selB)).isEqualTo(all.keySet());
            for (String s : selA) {
                assertThat(shardA.owns(s, all.get(s).appId())).isTrue();
                assertThat(all.get(s).appId()).doesNotStartWith("com.vip.");
                assertThat(Character.digit(s.charAt(0), 16)).isLessThan(8);
            }
            assertThat(selB).anyMatch(s -> Character.digit(s.charAt(0), 16) < 8);   // vip apps

            // Both write states, including one for the same selector (a hand-over).
            String shared = selA.iterator().next();
            for (String s : selA) {
                a.stateWriter().write(state(s, "A", 1));
            }
            for (String s : selB) {
                b.stateWriter().write(state(s, "B", 2));
            }
            b.stateWriter().write(state(shared, "B", 99));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> a.stateWriter().pendingCount() == 0 && b.stateWriter().pendingCount() == 0);

            List<LoadedInstance> againA = new ArrayList<>();
            List<LoadedInstance> againB = new ArrayList<>();
            a.loadShard(shardA, againA::add);
            b.loadShard(shardB, againB::add);
            assertThat(againA).allSatisfy(l -> {
                assertThat(l.state().orElseThrow().server()).isEqualTo("A");
                assertThat(l.state().orElseThrow().cseq()).isEqualTo(1);
                assertThat(l.record()).isEqualTo(all.get(l.record().selector()));
            });
            assertThat(againB).allSatisfy(l -> assertThat(l.state().orElseThrow().cseq()).isEqualTo(2));
        }
    }

    @Test
    void aRegistrationOnlyServerLoadsNothing() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        try (Store c = TestPg.open(db, "C")) {
            c.saveRegistration(TestPg.record("0ABC", "com.example", "pw")).get();
            List<LoadedInstance> loaded = new ArrayList<>();
            assertThat(c.loadShard(Shard.filtered("C", backends()), loaded::add)).isZero();
            assertThat(loaded).isEmpty();
        }
    }

    private static InstanceState state(String selector, String server, long cseq) {
        return new InstanceState(selector, server, RegistrationState.REGISTERED, "", Optional.empty(), Optional.empty(),
                "cid-" + selector, cseq, TestPg.T0);
    }

    private static Set<String> selectors(List<LoadedInstance> l) {
        Set<String> out = new HashSet<>();
        for (LoadedInstance i : l) {
            assertThat(out.add(i.record().selector())).isTrue();
        }
        return out;
    }

    private static Set<String> union(Set<String> x, Set<String> y) {
        Set<String> out = new HashSet<>(x);
        out.addAll(y);
        return out;
    }
}
