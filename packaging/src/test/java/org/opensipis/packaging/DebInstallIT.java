package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Installs the .deb on this machine with {@code dpkg -i}, checks what postinst made, creates the
 * database on Debian's PostgreSQL with {@code sipis db init}, runs {@code sipis check}, then
 * starts a two-process layout from {@code sipis plan} plus LB2 the way the units do (their
 * ExecStart lines, as user sipis, without systemd) and waits until each process answers
 * {@code /health/ready} and LB2 serves {@code /metrics} (turned on in /etc/default/sipis, as
 * the operate guide says); finally purges the package. Changes the machine, so it runs only in
 * CI ({@code CI=true}) as root; elsewhere it is skipped.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebInstallIT {

    static final Path KEY = Path.of("/etc/sipis/sipis.key");
    static final Path DATABASE_XML = Path.of("/etc/sipis/Database.xml");
    static final DebianPostgres PG = new DebianPostgres();
    static final List<Process> STARTED = new ArrayList<>();
    /** Files the test put in /etc that the package does not own (purge leaves them). */
    static final List<Path> ADDED = new ArrayList<>();

    @BeforeAll
    static void onlyInCiAsRoot() throws Exception {
        assumeTrue("true".equals(System.getenv("CI")), "installs a package: runs only in CI (CI=true)");
        assumeTrue("root".equals(System.getProperty("user.name")), "dpkg -i needs root");
        assumeTrue(Cmd.has("dpkg"), "dpkg is not installed");
        Cmd.Result r = Cmd.run(List.of("dpkg", "-i", Cmd.deb().toString()));
        assertThat(r.code()).as("dpkg -i:\n%s", r.all()).isZero();
    }

    @AfterAll
    static void purge() throws Exception {
        for (Process p : STARTED) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : STARTED) {
            p.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        if ("true".equals(System.getenv("CI")) && "root".equals(System.getProperty("user.name")) && Cmd.has("dpkg")) {
            Cmd.run(List.of("dpkg", "--purge", "sipis"));
            for (Path f : ADDED) {
                Files.deleteIfExists(f);
            }
            try {
                Files.deleteIfExists(Path.of("/etc/sipis")); // purge leaves it when the test added files
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                // someone else's files: keep them
            }
        }
        PG.cleanUp();
    }

    @Test
    @Order(1)
    void createsTheUserTheDirectoriesTheKeyAndTheDatabaseSettingsOnce() throws Exception {
        assertThat(Cmd.run(List.of("getent", "passwd", "sipis")).code()).isZero();
        PosixFileAttributes key = Files.readAttributes(KEY, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(key.size()).isEqualTo(16);
        assertThat(key.owner().getName()).isEqualTo("root");
        assertThat(key.group().getName()).isEqualTo("sipis");
        assertThat(PosixFilePermissions.toString(key.permissions())).isEqualTo("rw-r-----");
        PosixFileAttributes db = Files.readAttributes(DATABASE_XML, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(db.group().getName()).isEqualTo("sipis");
        assertThat(PosixFilePermissions.toString(db.permissions())).isEqualTo("rw-r-----");
        assertThat(Files.readString(DATABASE_XML)).containsPattern("user=sipis password=[0-9a-f]{36}\"");
        for (String d : List.of("/var/log/sipis", "/var/lib/sipis")) {
            assertThat(Files.getOwner(Path.of(d)).getName()).as(d).isEqualTo("sipis");
        }
        assertThat(Files.isExecutable(Path.of("/usr/bin/sipis"))).isTrue();
        assertThat(Path.of("/usr/share/sipis/monitoring/grafana-dashboard.json")).exists();
        assertThat(Path.of("/usr/share/sipis/monitoring/prometheus-alerts.yml")).exists();

        byte[] before = Files.readAllBytes(KEY);
        String dbBefore = Files.readString(DATABASE_XML);
        Cmd.Result again = Cmd.run(List.of("dpkg", "-i", Cmd.deb().toString()));
        assertThat(again.code()).as("reinstall:\n%s", again.all()).isZero();
        assertThat(Files.readAllBytes(KEY)).as("the key survives an upgrade").isEqualTo(before);
        assertThat(Files.readString(DATABASE_XML)).as("the database password survives an upgrade").isEqualTo(dbBefore);

        Cmd.Result units = Cmd.run(List.of("/usr/lib/sipis/sipis-units", "list"));
        assertThat(units.out().lines()).containsExactly("sipis@Settings.service");
    }

    @Test
    @Order(2)
    void installedUnitsVerifyAndTheGeneratorWantsTheShippedSettings(@TempDir Path out) throws Exception {
        Cmd.Result g = Cmd.run(List.of("/lib/systemd/system-generators/sipis-generator", out.toString()));
        assertThat(g.code()).as(g.all()).isZero();
        assertThat(Files.readSymbolicLink(out.resolve("sipis.service.wants/sipis@Settings.service")))
                .isEqualTo(Path.of("/lib/systemd/system/sipis@.service"));
        assumeTrue(Cmd.has("systemd-analyze"), "systemd-analyze is not installed");
        // installed, ExecStart=/usr/bin/sipis exists: verify the real units by name
        Cmd.Result v = Cmd.run(List.of("systemd-analyze", "verify", "--man=no", "sipis.service", "sipis@Settings.service",
                "sipis-lb2.service"));
        assertThat(v.code()).as(v.all()).isZero();
        assertThat(v.err().lines().filter(l -> l.contains("sipis"))).as(v.all()).isEmpty();
    }

    @Test
    @Order(3)
    void sipisCheckAcceptsTheShippedSettings() throws Exception {
        Cmd.Result r = Cmd.run(List.of("/usr/bin/sipis", "check", "/etc/sipis/Settings.xml"));
        assertThat(r.code()).as("sipis check /etc/sipis/Settings.xml:\n%s", r.all()).isZero();
        assertThat(r.out()).contains("Database:   host=127.0.0.1 port=5432 dbname=sipis user=sipis password=********");
    }

    @Test
    @Order(4)
    void withoutAnOpenStringTheMissingEmbeddedDatabaseIsASettingsError(@TempDir Path dir) throws Exception {
        Path s = Files.writeString(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"S\"/><LoadBalancer2 FileName=\"none.xml\"/></Sipis>");
        Cmd.Result r = Cmd.run(List.of("/usr/bin/sipis", "check", s.toString()));
        assertThat(r.code()).as(r.all()).isEqualTo(3);
        assertThat(r.all()).contains("this installation has no embedded PostgreSQL", "sipis db init");
    }

    @Test
    @Order(5)
    void dbInitCreatesTheRoleAndDatabaseOnDebiansPostgresqlTwice() throws Exception {
        PG.ensureRunning();
        for (int i = 0; i < 2; i++) {
            Cmd.Result r = Cmd.run(List.of("/usr/bin/sipis", "db", "init", "/etc/sipis/Settings.xml"));
            assertThat(r.code()).as("sipis db init (run %d):\n%s", i + 1, r.all()).isZero();
            assertThat(r.out()).contains("OK: role sipis and database sipis are ready");
        }
        assertThat(PG.psql("SELECT rolsuper FROM pg_roles WHERE rolname = 'sipis'")).isEqualTo("f");
        assertThat(PG.psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'sipis'")).isEqualTo("sipis");
        Cmd.Result check = Cmd.run(List.of("/usr/bin/sipis", "check", "/etc/sipis/Settings.xml"));
        assertThat(check.code()).as(check.all()).isZero();
    }

    @Test
    @Order(6)
    void aPlannedTwoProcessLayoutStartsFromTheUnitsExecStartAndIsReady(@TempDir Path plan) throws Exception {
        PG.ensureRunning();
        Matcher m = Pattern.compile("OpenString=\"([^\"]+)\"").matcher(Files.readString(DATABASE_XML));
        assertThat(m.find()).isTrue();
        Cmd.Result p = Cmd.run(List.of("/usr/bin/sipis", "plan", "--hosts", "1", "--per-host", "2", "--domain",
                "sipis.example.com", "--db", m.group(1), "--out", plan.toString()));
        assertThat(p.code()).as(p.all()).isZero();
        // the installed layout, on ports the OS picks (this machine may run other tests)
        int[] sip = {Ports.free(), Ports.free()};
        int[] http = {Ports.free(), Ports.free()};
        int[] reg = {Ports.free(), Ports.free()};
        int front = Ports.free();
        int lb2Metrics = Ports.free();
        Files.move(Path.of("/etc/sipis/Settings.xml"), plan.resolve("Settings.xml.single"));
        install(plan.resolve("Defaults.xml"), "/etc/sipis/Defaults.xml", s -> s);
        for (int i = 0; i < 2; i++) {
            int n = i;
            install(plan.resolve("Settings" + (i + 1) + ".xml"), "/etc/sipis/Settings" + (i + 1) + ".xml",
                    s -> s.replace("Port=\"" + (14998 - 10 * n) + "\"", "Port=\"" + sip[n] + "\"")
                            .replace("Port=\"" + (14999 - 10 * n) + "\"", "Port=\"" + reg[n] + "\"")
                            .replace("Port=\"" + (5000 + 10 * n) + "\"", "Port=\"" + http[n] + "\""));
        }
        install(plan.resolve("LoadBalancer2/Settings.xml"), "/etc/acrobits/LoadBalancer2/Settings.xml",
                s -> s.replace("0:4998", "127.0.0.1:" + front).replace("\"127.0.0.1:14998\"", "\"127.0.0.1:" + sip[0] + "\"")
                        .replace("\"127.0.0.1:14988\"", "\"127.0.0.1:" + sip[1] + "\""));
        for (int i = 1; i <= 2; i++) {
            Cmd.Result c = Cmd.run(List.of("/usr/bin/sipis", "check", "/etc/sipis/Settings" + i + ".xml"));
            assertThat(c.code()).as(c.all()).isZero();
        }
        assertThat(Cmd.run(List.of("/usr/lib/sipis/sipis-units", "list")).out().lines())
                .containsExactly("sipis@Settings1.service", "sipis@Settings2.service");

        String template = execStart("/lib/systemd/system/sipis@.service");
        assertThat(template).isEqualTo("/usr/bin/sipis run /etc/sipis/%i.xml");
        // LB2's metrics, as operate.md turns them on: SIPIS_LB2_OPTS in /etc/default/sipis
        Path defaults = Path.of("/etc/default/sipis");
        String shipped = Files.readString(defaults);
        assertThat(shipped).contains("\nSIPIS_LB2_OPTS=\"\"\n", "#SIPIS_LB2_OPTS=\"--metrics 127.0.0.1:9498\"");
        Files.writeString(defaults, shipped.replace("\nSIPIS_LB2_OPTS=\"\"\n",
                "\nSIPIS_LB2_OPTS=\"--metrics 127.0.0.1:" + lb2Metrics + "\"\n"));
        String lb2 = execStart("/lib/systemd/system/sipis-lb2.service");
        assertThat(lb2).isEqualTo("/usr/bin/sipis lb2 $SIPIS_LB2_OPTS /etc/acrobits/LoadBalancer2/Settings.xml");
        start(lb2, plan.resolve("lb2.out"));
        start(template.replace("%i", "Settings1"), plan.resolve("s1.out"));
        start(template.replace("%i", "Settings2"), plan.resolve("s2.out"));

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 2; i++) {
            // ready: database, shard, LISTEN connection, SIP socket and app leg (each named in the body)
            URI ready = URI.create("http://127.0.0.1:" + http[i] + "/health/ready");
            Path out = plan.resolve("s" + (i + 1) + ".out");
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .failFast("the process exited:\n" + out, () -> STARTED.stream().anyMatch(x -> !x.isAlive()))
                    .until(() -> status(client, ready) == 200);
            HttpResponse<String> body = client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(body.body()).contains("\"status\":\"ready\"", "\"name\":\"Sipis" + (i + 1) + "\"",
                    "\"database\":{\"ok\":true", "\"change_notifications\":{\"ok\":true", "\"app_leg\":{\"ok\":true");
        }
        URI metrics = URI.create("http://127.0.0.1:" + lb2Metrics + "/metrics");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .failFast("LB2 exited:\n" + plan.resolve("lb2.out"), () -> !STARTED.get(0).isAlive())
                .until(() -> status(client, metrics) == 200);
        assertThat(client.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("sipis_lb2_flows_total");
        assertThat(Files.readString(Path.of("/var/log/sipis/sipis1.log"))).contains("sipis Sipis1 running");
        assertThat(Files.readString(Path.of("/var/log/sipis/sipis2.log"))).contains("sipis Sipis2 running");
    }

    private static int status(HttpClient client, URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The ExecStart= line of an installed unit. */
    static String execStart(String unit) throws Exception {
        return Files.readAllLines(Path.of(unit)).stream().filter(l -> l.startsWith("ExecStart=")).findFirst()
                .orElseThrow().substring("ExecStart=".length());
    }

    /** As systemd would: user sipis, the EnvironmentFile /etc/default/sipis, the ExecStart command. */
    private static void start(String command, Path output) throws Exception {
        Process p = new ProcessBuilder("runuser", "-u", "sipis", "--", "sh", "-c",
                "set -a; . /etc/default/sipis; set +a; exec " + command)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        STARTED.add(p);
    }

    private static void install(Path from, String to, java.util.function.UnaryOperator<String> edit) throws Exception {
        if (!Files.exists(Path.of(to))) {
            ADDED.add(Path.of(to));
        }
        Files.writeString(Path.of(to), edit.apply(Files.readString(from)));
        assertThat(Cmd.run(List.of("chown", "root:sipis", to)).code()).isZero();
        assertThat(Cmd.run(List.of("chmod", "0640", to)).code()).isZero();
    }
}
