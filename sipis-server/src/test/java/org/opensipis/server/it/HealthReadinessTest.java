package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.server.Configuration;
import org.opensipis.server.SipisServer;

/**
 * Readiness follows the database: a real PostgreSQL that the test owns is stopped under a
 * running process (/health/ready turns 503 and names the database and the LISTEN connection)
 * and started again on the same data and port (ready again); /health/live stays 200 throughout.
 */
@Timeout(240)
class HealthReadinessTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readinessIsFalseWhileTheDatabaseIsStoppedAndTrueAgainAfter() throws Exception {
        int pgPort = Ports.free();
        Path pgdata = dir.resolve("pgdata");
        EmbeddedPostgres pg = startPg(pgdata, pgPort);
        try {
            Path file = Ports.settings(dir, "host=127.0.0.1 port=" + pgPort + " dbname=postgres user=postgres", "None");
            try (SipisServer server = new SipisServer(Configuration.load(file), SipisKey.load(dir.resolve("sipis.key")))) {
                server.start();
                String base = "http://127.0.0.1:" + server.httpPort();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/health/ready").statusCode() == 200);
                JsonNode ready = JSON.readTree(get(base + "/health/ready").body());
                assertThat(ready.path("status").asText()).isEqualTo("ready");
                for (String part : new String[] {"database", "shard", "change_notifications", "sip_socket", "app_leg"}) {
                    assertThat(ready.path("checks").path(part).path("ok").asBoolean()).as(part).isTrue();
                }

                pg.close();
                await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/health/ready").statusCode() == 503);
                HttpResponse<String> down = get(base + "/health/ready");
                JsonNode notReady = JSON.readTree(down.body());
                assertThat(notReady.path("status").asText()).isEqualTo("not ready");
                assertThat(notReady.path("checks").path("database").path("ok").asBoolean()).isFalse();
                assertThat(notReady.path("checks").path("shard").path("ok").asBoolean()).isTrue();
                assertThat(down.headers().firstValue("Retry-After")).contains("5");
                assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);

                pg = startPg(pgdata, pgPort);
                await().atMost(Duration.ofSeconds(90)).until(() -> get(base + "/health/ready").statusCode() == 200);
                JsonNode again = JSON.readTree(get(base + "/health/ready").body());
                assertThat(again.path("checks").path("database").path("ok").asBoolean()).isTrue();
                assertThat(again.path("checks").path("change_notifications").path("ok").asBoolean()).isTrue();
            }
        } finally {
            pg.close();
        }
    }

    private static EmbeddedPostgres startPg(Path data, int port) throws Exception {
        Files.createDirectories(data);
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setRegisterShutdownHook(false).setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("fsync", "off").setPGStartupWait(Duration.ofSeconds(30)).start();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
