package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.sip.testing.Kamailio;

/**
 * One {@code sipis run} child JVM of a drill with leases on: its own app-leg, HTTP and
 * registration ports, lock, log and copy of the LB2 file, one shared PostgreSQL.
 */
final class SipisProcess {

    private final String name;
    private final Path dir;
    private final int pgPort;
    private final int appPort;
    private final int httpPort;
    private final int regPort;
    private Process process;

    /** Where pushes go (a PNM gateway fake), or null: none configured. */
    private final String pushUrl;

    SipisProcess(String name, Path dir, int pgPort) throws Exception {
        this(name, dir, pgPort, null);
    }

    SipisProcess(String name, Path dir, int pgPort, String pushUrl) throws Exception {
        this.pushUrl = pushUrl;
        this.name = name;
        this.dir = dir;
        this.pgPort = pgPort;
        this.appPort = Kamailio.freePort();
        this.httpPort = Kamailio.freePort();
        this.regPort = Kamailio.freePort();
    }

    int regPort() {
        return regPort;
    }

    int appPort() {
        return appPort;
    }

    Path lb2File() {
        return dir.resolve("lb2-" + name + ".xml");
    }

    /** This process's copy of the LB2 file: prefix to process name, each at its app-leg port. */
    void writeLb2(Map<String, String> entries, Map<String, SipisProcess> all) throws Exception {
        StringBuilder sb = new StringBuilder("<LoadBalancer2><Backend>");
        entries.forEach((prefix, owner) -> sb.append("<Sipis Name=\"").append(owner).append("\" SelectorPrefix=\"")
                .append(prefix).append("\" Address=\"127.0.0.1:").append(all.get(owner).appPort()).append("\"/>"));
        sb.append("</Backend></LoadBalancer2>");
        Path tmp = dir.resolve("lb2-" + name + ".tmp");
        Files.writeString(tmp, sb.toString());
        Files.move(tmp, lb2File(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    void start() throws Exception {
        Path settings = Fixtures.write(dir.resolve("Settings-" + name + ".xml"), "<Sipis><Server Name=\"" + name
                + "\" Realm=\"Drill\" Address=\"127.0.0.1\" Port=\"" + appPort + "\""
                + " FilterInstancesAccordingToLoadBalancer2BackendSection=\"Yes\"/>"
                + "<HttpServer Address=\"127.0.0.1\" Port=\"" + httpPort + "\" AuthenticationMethod=\"None\"/>"
                + "<Database OpenString=\"host=127.0.0.1 port=" + pgPort + " dbname=postgres user=postgres\"/>"
                + "<DataProtection KeyFileName=\"sipis.key\"/>"
                + "<Lock FileName=\"sipis-" + name + ".lock\"/><Log FileName=\"sipis-" + name + ".log\"/>"
                + "<LoadBalancer2 FileName=\"" + lb2File().getFileName() + "\"/>"
                + "<Lease Enabled=\"Yes\" TakeOver=\"Yes\"><TakeOverAfter Seconds=\"15\"/></Lease>"
                + "<Registration Address=\"127.0.0.1\" Port=\"" + regPort + "\" GlobalRate=\"200\" PerRegistrarRate=\"200\"/>"
                + (pushUrl == null ? "" : "<NotificationServers><NotificationServer Name=\"*\" Host=\"127.0.0.1\" Port=\""
                        + java.net.URI.create(pushUrl).getPort() + "\" RequiresTls=\"No\" Url=\"" + pushUrl
                        + "\"/></NotificationServers>")
                + "<PushTest Enabled=\"No\"/><RegistrarTargets><Allow Network=\"127.0.0.0/8\"/></RegistrarTargets></Sipis>");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        process = new ProcessBuilder(java.toString(), "-Xmx384m", "-cp", cp, "org.opensipis.server.Main", "run",
                settings.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout-" + name + ".txt").toFile()).start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + ": sipis run exited " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("stdout-" + name + ".txt")) + log());
            }
            return log().contains("HTTP interface on");
        });
    }

    /** SIGHUP, as systemctl reload and sipis ctl reload send; waits until the log shows the LB2 part of it. */
    void reload() throws Exception {
        long before = log().lines().filter(l -> l.contains("reload: LB2 file")).count();
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> log().lines().filter(l -> l.contains("reload: LB2 file")).count() > before);
    }

    /** {@code kill -9}: a crash, its leases left to lapse. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String log() throws Exception {
        Path f = dir.resolve("sipis-" + name + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Registrations posted by 8 concurrent clients, as apps would (Expires 60: steady refresh). */
    void postRegistrations(List<String> selectors, int registrarPort, Duration within) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            HttpClient http = HttpClient.newBuilder().executor(pool).build();
            Semaphore clients = new Semaphore(8);
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < selectors.size(); i++) {
                String body = "{\"selector\":\"" + selectors.get(i) + "\",\"appId\":\"com.example.app\",\"appSecret\":\"s"
                        + i + "\",\"account\":{\"user\":\"u" + i + "\",\"password\":\"pw" + i + "\",\"domain\":\"127.0.0.1\","
                        + "\"proxy\":\"127.0.0.1:" + registrarPort + "\",\"transport\":\"UDP\",\"expires\":60},"
                        + "\"tokens\":[{\"platform\":\"" + (pushUrl == null ? "APNS" : "PNM") + "\",\"kind\":\"INCOMING_CALL\",\"token\":\"t" + i + "\"}]}";
                clients.acquire();
                all.add(post(http, body, 0).whenComplete((v, e) -> clients.release()));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(within.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    private CompletableFuture<Void> post(HttpClient http, String body, int attempt) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/sipis/register"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenCompose(r -> {
            if (r.statusCode() == 503 && attempt < 20) {
                return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                        .thenCompose(v -> post(http, body, attempt + 1));
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return CompletableFuture.completedFuture(null);
        });
    }
}
