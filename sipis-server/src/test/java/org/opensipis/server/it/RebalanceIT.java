package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.sip.testing.Kamailio;

/**
 * Live rebalance of three {@code sipis run} processes (child JVMs, {@code Lease Enabled="Yes"})
 * on one PostgreSQL, against a real Kamailio registrar, under steady refresh (Expires 60):
 * a prefix moves from one process to another, one is split onto a third, and merged back. Each
 * process reads its own copy of the LB2 file, so the files disagree while the reloads (SIGHUP,
 * gainer first) go round. Kamailio's usrloc counters are sampled every 200 ms
 * ({@link RegistrarSampler}): every user has a binding at every sample; each moved instance has
 * two processes' bindings only from the gainer's 200 to the end of the loser's removal (read from
 * the processes' {@code instance_states}), under 2 s; the registrar's busiest second stays within
 * the three throttles; at the end every user has exactly one binding, from the process the new
 * file names ({@code ul.lookup}). CI size 1,000 users; {@code -Dsipis.it.rebalanceUsers=5000}
 * for the full drill. Last, with {@code Lease[TakeOver]} on, one process is killed and the next
 * one in the file takes its prefix over. Throughout every step a caller ({@link CallLoad}) places
 * 10 calls a second through Kamailio, three in four to users of the moving prefix; Kamailio forks
 * each to every binding of the user, and the push provider ({@link PushCounter}, a PNM gateway
 * fake) counts the pushes per Call-ID: every call pushed exactly once, none twice, and one
 * missed-call push at most per call (after the caller's CANCEL), from the process that pushed.
 * In the kill step, calls to the killed process's users before the take-over are not pushed
 * (their only binding is the dead process's): counted, not asserted. Figures go to
 * {@code target/rebalance-figures.txt}.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RebalanceIT {

    private static final int USERS = Integer.getInteger("sipis.it.rebalanceUsers", 1_000);
    private static final Duration LONG = Duration.ofSeconds(90 + USERS / 50);
    private static final Path FIGURES = Path.of(System.getProperty("sipis.it.rebalanceFigures",
            "target/rebalance-figures.txt"));
    private static final String[] NAMES = {"S1", "S2", "S3"};
    /** Before: S1 half, S2 and S3 a quarter each. */
    static final Map<String, String> F0 = files("0/1=S1", "8/2=S2", "C/2=S3");
    /** Move C/2 from S3 to S2. */
    static final Map<String, String> F1 = files("0/1=S1", "8/1=S2");
    /** Split S1's 0/1: 4/2 onto S3. */
    static final Map<String, String> F2 = files("0/2=S1", "4/2=S3", "8/1=S2");

    /** Kept when a step fails: the processes' logs say which process answered what. */
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path dir;

    private static EmbeddedPostgres pg;
    private static Kamailio kamailio;
    private static final Map<String, SipisProcess> processes = new LinkedHashMap<>();
    private static final List<String> selectors = new ArrayList<>();
    /** Calls a second placed through Kamailio throughout every step. */
    private static final double CALLS_PER_SECOND = 10;
    private static PushCounter pushes;
    private static CallLoad caller;
    private static CallTally tally;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Kamailio.BINARY), "kamailio is not installed (.ci/install.d/20-kamailio.sh)");
        Map<String, String> users = new HashMap<>();
        for (int i = 0; i < USERS; i++) {
            users.put("u" + i, "pw" + i);
        }
        kamailio = Kamailio.proxying(users, 4);
        pushes = new PushCounter();
        pg = EmbeddedPostgres.builder().start();
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        for (String n : NAMES) {
            processes.put(n, new SipisProcess(n, dir, pg.getPort(), pushes.url()));
        }
        for (SipisProcess p : processes.values()) {
            p.writeLb2(F0, processes);
        }
        for (SipisProcess p : processes.values()) {
            p.start();
        }
        for (int i = 0; i < USERS; i++) {
            selectors.add(String.format("%08X", i * 2654435761L & 0xFFFFFFFFL) + "A".repeat(32) + ":0000000A");
        }
        processes.get("S1").postRegistrations(selectors, kamailio.port(), LONG);
        awaitSettled(F0);
        caller = new CallLoad(kamailio.port());
        tally = new CallTally(caller, pushes, selectors);
    }

    @AfterAll
    static void stop() throws Exception {
        if (caller != null) {
            caller.close();
        }
        if (pushes != null) {
            pushes.close();
        }
        for (SipisProcess p : processes.values()) {
            p.stop();
        }
        if (kamailio != null) {
            kamailio.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void movingAPrefixKeepsEveryUserBoundAndOverlapsUnderTwoSeconds() throws Exception {
        rebalance("move C/2 from S3 to S2", F1, List.of("S2", "S3", "S1"), "C/2");
    }

    @Test
    @Order(2)
    void splittingAPrefixOntoAThirdProcess() throws Exception {
        rebalance("split 0/1 of S1: 4/2 onto S3", F2, List.of("S3", "S1", "S2"), "4/2");
    }

    @Test
    @Order(3)
    void mergingItBack() throws Exception {
        rebalance("merge 4/2 back into S1", F1, List.of("S1", "S3", "S2"), "4/2");
    }

    @Test
    @Order(4)
    void withTakeOverTheNextProcessTakesTheRangesOfAKilledOne() throws Exception {
        // F1: S1 0/1, S2 8/1; S1 stands by for S2 (the next name in the file, cyclically)
        RegistrarSampler sampler = new RegistrarSampler(kamailio);
        sampler.start();
        int callsBefore = caller.placed().size();
        caller.start(CALLS_PER_SECOND, tally.users("8/1"));
        long killedAt;
        try {
            processes.get("S2").kill();
            killedAt = System.currentTimeMillis();
            await().atMost(LONG.plusSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> processes.get("S1").log().contains("Took over the lease of 8/1 from S2"));
            long tookOver = System.currentTimeMillis() - killedAt;
            Map<String, String> after = files("0/1=S1", "8/1=S1");
            await().atMost(LONG.plusSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                RegistrarSampler.Sample s = RegistrarSampler.read(kamailio);
                return s.users() == USERS && s.contacts() == USERS;
            });
            long allBound = System.currentTimeMillis() - killedAt;
            sampler.stop();
            caller.pause();
            RegistrarSampler.Figures f = sampler.figures();
            CallTally.Figures survivors = tally.calls(callsBefore, sel -> !SelectorPrefix.parse("8/1").matches(sel));
            CallTally.Figures orphans = tally.calls(callsBefore, sel -> SelectorPrefix.parse("8/1").matches(sel));
            String line = String.format("kill -9 S2, S1 takes over 8/1 | users %d | lease taken over after %d ms"
                            + " | every user bound by one process again after %d ms | min registered_users %d"
                            + " | REGISTERs at Kamailio %d, busiest 1 s %d | calls to S1's own users: %s"
                            + " | calls to the killed S2's users: %s%n", USERS, tookOver, allBound, f.minUsers(),
                    f.registers(), f.busiestSecond(), survivors, orphans);
            Files.writeString(FIGURES, line, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            System.out.print(line);
            assertOwnedAsFilesSay(after);
            assertThat(processes.get("S1").log()).doesNotContain(" ERROR ");
            survivors.assertExactlyOnce(true);
            // calls to the killed process's users before the take-over reach only its dead Contact: not pushed
            orphans.assertExactlyOnce(false);
            assertThat(orphans.placed()).isPositive();
        } finally {
            sampler.stop();
        }
    }

    /** Writes the new file for each process in {@code order} (gainer first) and reloads it, sampling throughout. */
    private static void rebalance(String what, Map<String, String> next, List<String> order, String moving)
            throws Exception {
        RegistrarSampler sampler = new RegistrarSampler(kamailio);
        long handedBefore = handOvers();
        Instant stepStart = Instant.now();
        sampler.start();
        int callsBefore = caller.placed().size();
        long declinedBefore = declinedBranches();
        caller.start(CALLS_PER_SECOND, tally.users(moving));
        long t0 = System.currentTimeMillis();
        try {
            for (String name : order) {
                SipisProcess p = processes.get(name);
                p.writeLb2(next, processes);
                p.reload();
            }
            await().atMost(LONG).pollInterval(Duration.ofMillis(250)).until(() -> handOvers() > handedBefore
                    && RegistrarSampler.read(kamailio).contacts() == USERS);
            sampler.collectFor(Duration.ofSeconds(5));
        } finally {
            sampler.stop();
            caller.pause();
        }
        long took = System.currentTimeMillis() - t0;
        CallTally.Figures calls = tally.calls(callsBefore, sel -> true);
        long declined = declinedBranches() - declinedBefore;
        RegistrarSampler.Figures f = sampler.figures();
        Overlaps o = overlaps(stepStart);
        String line = String.format("%s | users %d | settled in %d ms | samples %d (every %d ms, %d failed, slowest %d ms)"
                        + " | min registered_users %d | max surplus contacts %d | instances moved %d"
                        + " | overlap (gainer's 200 to loser's removal) median %d ms, max %d ms, >= 2 s: %d"
                        + " | REGISTERs at Kamailio %d, busiest 1 s %d (throttles 3 x 200/s) | calls: %s"
                        + " | branches answered 480 because the other process pushed: %d%n", what, USERS,
                took, f.samples(), RegistrarSampler.PERIOD_MILLIS, f.failedSamples(), f.slowestSampleMillis(),
                f.minUsers(), f.maxSurplusContacts(), o.moved(), o.median(), o.max(), o.overTwoSeconds(), f.registers(),
                f.busiestSecond(), calls, declined);
        Files.createDirectories(FIGURES.toAbsolutePath().getParent());
        Files.writeString(FIGURES, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.out.print(line);
        assertThat(f.failedSamples()).as("samples kamcmd could not read").isZero();
        assertThat(f.minUsers()).as("users with a binding, at the worst sample").isEqualTo(USERS);
        assertThat(o.moved()).as("instances handed over").isPositive();
        assertThat(o.overTwoSeconds()).as("instances with two processes' bindings for 2 s or more").isZero();
        assertThat(f.busiestSecond()).as("REGISTERs in the busiest second").isLessThanOrEqualTo(3 * 200 + 20);
        assertOwnedAsFilesSay(next);
        calls.assertExactlyOnce(true);
        for (SipisProcess p : processes.values()) {
            assertThat(p.log()).doesNotContain(" ERROR ").doesNotContain("Hand-over of");
        }
    }

    /** Forked INVITEs a process answered 480 without pushing because the other bound process had claimed the call. */
    private static long declinedBranches() throws Exception {
        long n = 0;
        for (SipisProcess p : processes.values()) {
            n += p.log().lines().filter(l -> l.contains(": not pushed here (pushed by ")).count();
        }
        return n;
    }

    private static long handOvers() throws Exception {
        long n = 0;
        for (SipisProcess p : processes.values()) {
            n += p.log().lines().filter(l -> l.contains("Handed ") && l.contains(" over to ")).count();
        }
        return n;
    }

    /** How long moved instances had both bindings, from the processes' own records. */
    record Overlaps(int moved, long median, long max, int overTwoSeconds) {
    }

    /**
     * For each instance removed by one process (its state Off) since {@code since} and registered
     * by another: the time from the gainer's 200 to the end of the loser's removal.
     */
    private static Overlaps overlaps(Instant since) throws Exception {
        List<Long> ms = new ArrayList<>();
        try (Connection c = pg.getPostgresDatabase().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT (EXTRACT(EPOCH FROM l.changed_at - g.changed_at) * 1000)::bigint"
                     + " FROM instance_states l JOIN instance_states g ON g.selector = l.selector AND g.server_name <> l.server_name"
                     + " WHERE l.state = 'OFF' AND l.changed_at >= ? AND g.state = 'REGISTERED' AND g.changed_at >= ?")) {
            ps.setObject(1, java.time.OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC));
            ps.setObject(2, java.time.OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ms.add(rs.getLong(1));
                }
            }
        }
        ms.sort(null);
        return new Overlaps(ms.size(), ms.isEmpty() ? -1 : ms.get(ms.size() / 2), ms.isEmpty() ? -1 : ms.get(ms.size() - 1),
                (int) ms.stream().filter(v -> v >= 2_000).count());
    }

    /** Every user has exactly one binding, with the Contact port of the process {@code files} names for it. */
    private static void assertOwnedAsFilesSay(Map<String, String> files) throws Exception {
        Map<String, Integer> wrong = new LinkedHashMap<>();
        Map<Integer, String> names = portsByProcess();
        for (int i = 0; i < USERS; i++) {
            List<Integer> ports = RegistrarSampler.ports(kamailio, "u" + i);
            String owner = owner(files, selectors.get(i));
            int expected = processes.get(owner).regPort();
            if (ports.size() != 1 || ports.get(0) != expected) {
                // one more look: kamcmd under load sometimes answers nothing; say so, judge the second answer
                System.out.println("ul.lookup u" + i + " (owner " + owner + "): " + ports + "; looking again");
                ports = RegistrarSampler.ports(kamailio, "u" + i);
            }
            if (ports.size() != 1 || ports.get(0) != expected) {
                wrong.merge(owner + " should hold it, bindings from " + ports.stream()
                        .map(x -> names.getOrDefault(x, "port " + x)).toList(), 1, Integer::sum);
            }
        }
        assertThat(wrong).as("users whose bindings differ from the file").isEmpty();
    }

    /** Waits until every user has one binding, then checks that each is from its owner's Contact. */
    private static void awaitSettled(Map<String, String> files) throws Exception {
        await().atMost(LONG).pollInterval(Duration.ofMillis(500)).until(() -> {
            RegistrarSampler.Sample s = RegistrarSampler.read(kamailio);
            return s.users() == USERS && s.contacts() == USERS;
        });
        assertOwnedAsFilesSay(files);
    }

    static String owner(Map<String, String> files, String selector) {
        for (Map.Entry<String, String> e : files.entrySet()) {
            if (SelectorPrefix.parse(e.getKey()).matches(selector)) {
                return e.getValue();
            }
        }
        throw new IllegalStateException("no owner for " + selector);
    }

    private static Map<Integer, String> portsByProcess() {
        Map<Integer, String> out = new HashMap<>();
        processes.forEach((n, p) -> out.put(p.regPort(), n));
        return out;
    }

    private static Map<String, String> files(String... entries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String e : entries) {
            String[] kv = e.split("=");
            out.put(kv[0], kv[1]);
        }
        return out;
    }
}
