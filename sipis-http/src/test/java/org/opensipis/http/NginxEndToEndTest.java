package org.opensipis.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;
import org.opensipis.core.shard.Shard;

/**
 * Debian's nginx with the seed's upstream configuration in front of two HTTP servers (Sipis1,
 * Sipis2) sharing one store: a registration posted to nginx lands in the store whichever
 * process nginx picks, and the reply names the owner from LB2. Skipped when nginx is not
 * installed (.ci/install.d/30-nginx.sh installs it in CI).
 */
@Timeout(120)
class NginxEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Path> NGINX = List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx"));

    private static InMemoryStore store;
    private static TestServer sipis1;
    private static TestServer sipis2;
    private static Process nginx;
    private static Path prefix;
    private static int port;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Path binary = NGINX.stream().filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(binary != null, "nginx is not installed (apt-get install nginx)");
        store = new InMemoryStore();
        sipis1 = new TestServer(AuthenticationMethod.NONE, true, HttpLimits.DEFAULTS, "Sipis1", store, new FakeInstances());
        sipis2 = new TestServer(AuthenticationMethod.NONE, true, HttpLimits.DEFAULTS, "Sipis2", store, new FakeInstances());
        prefix = Files.createTempDirectory("sipis-nginx");
        port = freePort();
        String template;
        try (InputStream in = NginxEndToEndTest.class.getResourceAsStream("/nginx/nginx.conf.template")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, template.replace("@PREFIX@", prefix.toString()).replace("@LISTEN@", Integer.toString(port))
                .replace("@SIPIS1@", Integer.toString(sipis1.server.port()))
                .replace("@SIPIS2@", Integer.toString(sipis2.server.port())));
        nginx = new ProcessBuilder(binary.toString(), "-p", prefix.toString(), "-c", conf.toString(),
                "-e", prefix.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> !nginx.isAlive() || accepts(port));
        assertThat(nginx.isAlive()).as("nginx exited: %s", log()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (sipis1 != null) {
            sipis1.close();
        }
        if (sipis2 != null) {
            sipis2.close();
        }
        if (prefix != null) {
            try (var files = Files.walk(prefix)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void registrationsThroughNginxLandInTheStoreAndNameTheOwner() throws Exception {
        String[] selectors = {
            "12869E0E6E553673C54F29105A0647204C416A2A:00000001", "92869E0E6E553673C54F29105A0647204C416A2A:00000002",
            "22869E0E6E553673C54F29105A0647204C416A2A:00000003", "F2869E0E6E553673C54F29105A0647204C416A2A:00000004"};
        Set<String> answeredBy = new HashSet<>();
        for (String selector : selectors) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/sipis/register")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(TestServer.registration(selector))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s / nginx log: %s", r.body(), log()).isEqualTo(200);
            JsonNode n = JSON.readTree(r.body());
            String owner = Character.digit(selector.charAt(0), 16) < 8 ? "Sipis1" : "Sipis2";
            assertThat(n.get("owner").get("name").asText()).isEqualTo(owner);
            assertThat(n.get("ownedByThisServer").asBoolean()).isEqualTo(n.get("answeredBy").asText().equals(owner));
            answeredBy.add(n.get("answeredBy").asText());
            assertThat(store.records).containsKey(selector);
        }
        assertThat(answeredBy).as("nginx spreads /sipis/register over both processes").containsExactlyInAnyOrder(
                "Sipis1", "Sipis2");
        // What each owner will pick up from the shared store (its shard filter over the rows).
        Shard one = Shard.filtered("Sipis1", TestServer.LB2.backends());
        Shard two = Shard.filtered("Sipis2", TestServer.LB2.backends());
        assertThat(store.records.values()).allSatisfy(rec ->
                assertThat(one.owns(rec.selector(), rec.appId())).isNotEqualTo(two.owns(rec.selector(), rec.appId())));
    }

    @Test
    void perProcessLocationsReachEachProcess() throws Exception {
        for (String[] loc : new String[][] {{"/sipis5000/about", "Sipis1"}, {"/sipis5010/about", "Sipis2"}}) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + loc[0]))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("name").asText()).isEqualTo(loc[1]);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int p) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", p), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String log() {
        try {
            Path err = prefix.resolve("error.log");
            Path out = prefix.resolve("stdout.log");
            return (Files.exists(err) ? Files.readString(err) : "") + (Files.exists(out) ? Files.readString(out) : "");
        } catch (IOException e) {
            return e.toString();
        }
    }
}
