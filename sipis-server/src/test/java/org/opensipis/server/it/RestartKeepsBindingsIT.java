package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.sip.testing.Kamailio;

/**
 * The whole {@code sipis run} process (a child JVM) keeps 3,000 users registered at a real
 * Kamailio registrar (digest, usrloc) across restarts, sampled from Kamailio's usrloc counters
 * every 200 ms: after {@code kill -9} every user has exactly one contact at every sample; across a
 * SIGTERM restart no user loses its binding; after {@code Registration[Port]} is edited, every
 * old contact is replaced (never two per user). The database is a PostgreSQL owned by the test
 * (embedded, passed by {@code Database[OpenString]}), which a killed process cannot take down.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartKeepsBindingsIT {

    private static final int USERS = Integer.getInteger("sipis.it.restartUsers", 3_000);
    private static final Pattern USERS_STAT = Pattern.compile("registered_users = (\\d+)");
    private static final Pattern CONTACTS_STAT = Pattern.compile("location[-_]contacts = (\\d+)");
    /** Bound on the steps that scale with the number of users (posting, registering all). */
    private static final Duration LONG = Duration.ofSeconds(90 + USERS / 100);
    private static final Pattern REGISTERS_STAT = Pattern.compile("rcv_requests_register = (\\d+)");
    private static final Pattern LOADED = Pattern.compile("Loaded (\\d+) instance\\(s\\) .* in (\\d+) ms");
    /** Where the figures of each restart go (scripts/bench-restart.sh prints them). */
    private static final Path FIGURES = Path.of(System.getProperty("sipis.it.restartFigures", "target/restart-figures.txt"));

    @TempDir
    static Path dir;

    private static EmbeddedPostgres pg;
    private static Kamailio kamailio;
    private static Process sipis;
    private static int run;
    private static int regPort;
    private static int httpPort;
    private static int appPort;

    /** One usrloc reading: AoRs with a binding, and bindings. */
    record Sample(long atMillis, int users, int contacts, long registers) {
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Kamailio.BINARY), "kamailio is not installed (.ci/install.d/20-kamailio.sh)");
        Map<String, String> users = new HashMap<>();
        for (int i = 0; i < USERS; i++) {
            users.put("u" + i, "pw" + i);
        }
        kamailio = new Kamailio(users, 4);
        pg = EmbeddedPostgres.builder().start();
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        // as the package installs it (0640): a key readable by others is a WARN, not a figure of this run
        Files.setPosixFilePermissions(dir.resolve("sipis.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        regPort = Kamailio.freePort();
        httpPort = Kamailio.freePort();
        appPort = Kamailio.freePort();
        startSipis();
        long t0 = System.nanoTime();
        String ingest = postRegistrations();
        await().atMost(LONG).pollInterval(Duration.ofMillis(250))
                .until(() -> sample().users() == USERS && sample().contacts() == USERS);
        long allRegistered = (System.nanoTime() - t0) / 1_000_000;
        String line = String.format("cold start | users %d | %s | all registered %d ms after the first POST "
                + "(throttle 1000/s allows %d ms)%n", USERS, ingest, allRegistered, USERS);
        Files.createDirectories(FIGURES.toAbsolutePath().getParent());
        Files.writeString(FIGURES, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.out.print(line);
    }

    @AfterAll
    static void stop() throws Exception {
        if (sipis != null) {
            sipis.destroy();
            sipis.waitFor(30, TimeUnit.SECONDS);
            sipis.destroyForcibly();
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
    void afterKillNineEveryUserHasExactlyOneContactAtEverySample() throws Exception {
        List<Sample> samples = sampling("kill -9, restart", () -> {
            sipis.destroyForcibly(); // SIGKILL
            sipis.waitFor(30, TimeUnit.SECONDS);
            startSipis();
        });
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.contacts()).as("contacts at %d ms", s.atMillis()).isEqualTo(s.users());
            assertThat(s.users()).as("users at %d ms", s.atMillis()).isEqualTo(USERS);
        });
        assertThat(log()).contains("restored " + USERS + " instances").doesNotContain("not answering")
                .doesNotContain("unregistrations did not finish");
    }

    @Test
    @Order(2)
    void aSigtermRestartNeverDropsARegisteredUser() throws Exception {
        List<Sample> samples = sampling("SIGTERM, restart", () -> {
            sipis.destroy(); // SIGTERM: the bindings stay (Registration[UnregisterOnStop] is No)
            assertThat(sipis.waitFor(60, TimeUnit.SECONDS)).isTrue();
            startSipis();
        });
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.users()).as("users at %d ms", s.atMillis()).isEqualTo(USERS);
            assertThat(s.contacts()).as("contacts at %d ms", s.atMillis()).isEqualTo(USERS);
        });
        assertThat(log()).contains("restored " + USERS + " instances").doesNotContain("not answering")
                .doesNotContain("unregistrations did not finish");
    }

    @Test
    @Order(3)
    void anEditedRegistrationPortReplacesEveryOldContact() throws Exception {
        int oldPort = regPort;
        List<Sample> samples = sampling("Registration[Port] edited, restart", () -> {
            sipis.destroy();
            assertThat(sipis.waitFor(60, TimeUnit.SECONDS)).isTrue();
            regPort = Kamailio.freePort();
            startSipis();
            await().atMost(LONG).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (int i = 0; i < USERS; i += USERS / 30) {
                    if (!kamailio.kamcmd("ul.lookup", "location", "u" + i).contains(":" + regPort)) {
                        return false;
                    }
                }
                return true;
            });
        });
        assertThat(samples).allSatisfy(s -> assertThat(s.users()).as("users at %d ms", s.atMillis()).isEqualTo(USERS));
        // One REGISTER adds the new Contact and removes the old (expires=0): Kamailio's counters
        // may be read between the two, so one sample can show one contact more while REGISTERs
        // flow at 1,000/s. A stale binding would stay: no two samples in a row may show a surplus.
        for (int i = 1; i < samples.size(); i++) {
            Sample a = samples.get(i - 1);
            Sample b = samples.get(i);
            assertThat(a.contacts() > USERS && b.contacts() > USERS).as("surplus contacts at %d and %d ms (%d, %d)",
                    a.atMillis(), b.atMillis(), a.contacts(), b.contacts()).isFalse();
        }
        assertThat(samples).allSatisfy(s -> assertThat(s.contacts()).as("contacts at %d ms", s.atMillis())
                .isLessThanOrEqualTo(USERS + 1));
        for (int i = 0; i < USERS; i += USERS / 30) {
            String binding = kamailio.kamcmd("ul.lookup", "location", "u" + i);
            assertThat(binding).contains(":" + regPort).doesNotContain(":" + oldPort);
        }
        assertThat(sample().users()).isEqualTo(USERS);
        assertThat(sample().contacts()).isEqualTo(USERS);
    }

    interface Step {
        void run() throws Exception;
    }

    /**
     * Samples usrloc every 200 ms while {@code step} runs and for 5 s after the new process
     * restored its instances (its log says so).
     */
    private static List<Sample> sampling(String what, Step step) throws Exception {
        List<Sample> samples = new CopyOnWriteArrayList<>();
        long serving = -1;
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        long t0 = System.currentTimeMillis();
        sampler.scheduleAtFixedRate(() -> {
            try {
                Sample s = sample();
                samples.add(new Sample(System.currentTimeMillis() - t0, s.users(), s.contacts(), s.registers()));
            } catch (Exception e) {
                samples.add(new Sample(System.currentTimeMillis() - t0, -1, -1, -1));
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        try {
            step.run();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> log().contains("HTTP interface on"));
            serving = System.currentTimeMillis() - t0;
            int before = samples.size();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> samples.size() >= before + 25); // 5 s of samples with the new process running
        } finally {
            // shutdown, not shutdownNow: an interrupted kamcmd would be recorded as a failed sample
            sampler.shutdown();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(samples).hasSizeGreaterThan(25);
        figures(what, samples, serving);
        return List.copyOf(samples);
    }

    static Sample sample() throws Exception {
        String out = kamailio.kamcmd("stats.get_statistics", "registered_users", "location_contacts", "rcv_requests_register");
        Matcher u = USERS_STAT.matcher(out);
        Matcher c = CONTACTS_STAT.matcher(out);
        Matcher r = REGISTERS_STAT.matcher(out);
        if (!u.find() || !c.find() || !r.find()) {
            throw new IllegalStateException("unexpected kamcmd output: " + out);
        }
        return new Sample(0, Integer.parseInt(u.group(1)), Integer.parseInt(c.group(1)), Long.parseLong(r.group(1)));
    }

    /**
     * One line of figures per restart: the store's load time from the log, when the new process
     * served HTTP (after restoring), the fewest users and most surplus contacts at Kamailio, the
     * REGISTERs it received and its busiest 1-s window (5 consecutive 200 ms samples), WARN lines.
     */
    private static void figures(String what, List<Sample> samples, long serving) throws Exception {
        String log = log();
        Matcher m = LOADED.matcher(log);
        String loaded = m.find() ? m.group(1) + " in " + m.group(2) + " ms" : "?";
        int minUsers = samples.stream().filter(s -> s.users() >= 0).mapToInt(Sample::users).min().orElse(-1);
        int surplus = samples.stream().filter(s -> s.users() >= 0).mapToInt(s -> s.contacts() - s.users()).max().orElse(-1);
        List<Sample> ok = samples.stream().filter(s -> s.registers() >= 0).toList();
        long busiest = 0;
        for (int i = 0; i + 5 < ok.size(); i++) {
            busiest = Math.max(busiest, ok.get(i + 5).registers() - ok.get(i).registers());
        }
        long registers = ok.isEmpty() ? -1 : ok.get(ok.size() - 1).registers() - ok.get(0).registers();
        long warns = log.lines().filter(l -> l.contains(" WARN ")).count();
        long allBack = samples.stream().filter(s -> s.users() == USERS && s.contacts() == USERS)
                .mapToLong(Sample::atMillis).filter(t -> samples.stream().noneMatch(o -> o.atMillis() > t
                        && (o.users() != USERS || o.contacts() != USERS))).min().orElse(-1);
        String line = String.format("%s | users %d | loaded %s | serving again after %d ms | all registered from %d ms | min registered_users %d"
                        + " | max surplus contacts %d | REGISTERs at Kamailio %d, busiest 1 s %d (throttle 1000/s)"
                        + " | WARN lines %d%n", what, USERS, loaded, serving, allBack, minUsers, surplus, registers, busiest, warns);
        Files.createDirectories(FIGURES.toAbsolutePath().getParent());
        Files.writeString(FIGURES, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.out.print(line);
    }

    private static String log() throws Exception {
        Path f = dir.resolve("sipis-" + run + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** Starts {@code sipis run} in a child JVM with this run's settings (its own log file). */
    private static void startSipis() throws Exception {
        run++;
        Path settings = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"Restart\" Realm=\"Restart\""
                + " Address=\"127.0.0.1\" Port=\"" + appPort + "\"/>"
                + "<HttpServer Address=\"127.0.0.1\" Port=\"" + httpPort + "\" AuthenticationMethod=\"None\"/>"
                + "<Database OpenString=\"host=127.0.0.1 port=" + pg.getPort() + " dbname=postgres user=postgres\"/>"
                + "<Lock FileName=\"sipis.lock\"/><Log FileName=\"sipis-" + run + ".log\"/>"
                + "<Registration Address=\"127.0.0.1\" Port=\"" + regPort + "\" GlobalRate=\"1000\" PerRegistrarRate=\"1000\"/>"
                + "<PushTest Enabled=\"No\"/>"
                // every POST comes from 127.0.0.1 and every account is at one registrar: lift the
                // per-source rate, keep a per-registrar quota above the users so it is counted
                + "<RegisterLimits PerSourceRate=\"0\" MaxInstancesPerRegistrar=\"" + Math.max(50_000, 2 * USERS) + "\"/>"
                + "<RegistrarTargets><Allow Network=\"127.0.0.0/8\"/></RegistrarTargets></Sipis>");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        sipis = new ProcessBuilder(java.toString(), USERS > 20_000 ? "-Xmx1g" : "-Xmx512m", "-cp", cp, "org.opensipis.server.Main", "run",
                settings.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("stdout-" + run + ".txt").toFile())
                .start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!sipis.isAlive()) {
                throw new IllegalStateException("sipis run exited " + sipis.exitValue() + ": "
                        + Files.readString(dir.resolve("stdout-" + run + ".txt")) + log());
            }
            return log().contains("HTTP interface on");
        });
    }

    /**
     * 3,000 registrations posted by 8 concurrent clients, as apps would; returns the ingest rate,
     * the p99 of a POST (until its 200, retries included) and the retried 503s.
     */
    private static String postRegistrations() throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        Semaphore clients = new Semaphore(8);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        long[] took = new long[USERS];
        java.util.concurrent.atomic.AtomicInteger retried = new java.util.concurrent.atomic.AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < USERS; i++) {
            String selector = String.format("%08X", i * 2654435761L & 0xFFFFFFFFL) + "A".repeat(32) + ":0000000A";
            String body = "{\"selector\":\"" + selector + "\",\"appId\":\"com.example.app\",\"appSecret\":\"s" + i
                    + "\",\"account\":{\"user\":\"u" + i + "\",\"password\":\"pw" + i + "\",\"domain\":\"127.0.0.1\","
                    + "\"proxy\":\"127.0.0.1:" + kamailio.port() + "\",\"transport\":\"UDP\",\"expires\":600},"
                    + "\"tokens\":[{\"platform\":\"APNS\",\"kind\":\"INCOMING_CALL\",\"token\":\"t" + i + "\"}]}";
            clients.acquire();
            int n = i;
            long t = System.nanoTime();
            all.add(post(http, body, 0, retried).whenComplete((v, e) -> {
                took[n] = System.nanoTime() - t;
                clients.release();
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(LONG.toSeconds(), TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = took.clone();
        java.util.Arrays.sort(sorted);
        return String.format("HTTP ingest %.0f/s, p99 %.1f ms, %d × 503 retried", USERS / seconds,
                sorted[(int) Math.min(USERS - 1, Math.floor(0.99 * USERS))] / 1e6, retried.get());
    }


    /** Posts one registration, retrying a 503 (the store busy) and counting it in {@code retried}. */
    private static CompletableFuture<Void> post(HttpClient http, String body, int attempt,
                                                java.util.concurrent.atomic.AtomicInteger retried) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/sipis/register"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenCompose(r -> {
            if (r.statusCode() == 503 && attempt < 20) {
                retried.incrementAndGet();
                return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                        .thenCompose(v -> post(http, body, attempt + 1, retried));
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return CompletableFuture.completedFuture(null);
        });
    }
}
