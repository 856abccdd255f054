package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.server.Configuration;
import org.opensipis.server.SipisServer;
import org.opensipis.server.cli.SipisCommand;
import picocli.CommandLine;

/**
 * The control API of a running process (embedded PostgreSQL, a registrar on loopback, Digest
 * administrator) driven through {@code sipis ctl}, the way an operator does: list and filter,
 * one instance without secrets, registrars, refresh now, disable/enable, push test, log level,
 * unregister. Unauthenticated requests are refused.
 */
@Timeout(240)
class ControlApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SELECTOR = "0BCDEF0123456789ABCDEF0123456789ABCDEF01:12345678";

    @TempDir
    Path dir;

    private Path settings;

    @Test
    void anOperatorSeesAndActsOnInstancesThroughSipisCtl() throws Exception {
        settings = Ports.settings(dir, null, "Digest");
        try (UdpRegistrar registrar = new UdpRegistrar();
             SipisServer server = new SipisServer(Configuration.load(settings), SipisKey.load(dir.resolve("sipis.key")))) {
            server.start();
            String base = "http://127.0.0.1:" + server.httpPort();
            register(base, registrar.port());
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    server.directory().countByState().get(RegistrationState.REGISTERED) == 1);

            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/control/instances")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);

            JsonNode list = ok("instances", "--state", "registered", "--registrar", "127.0.0.1");
            assertThat(list.path("matching").asLong()).isEqualTo(1);
            JsonNode row = list.path("instances").get(0);
            assertThat(row.path("selector").asText()).isEqualTo(SELECTOR);
            assertThat(row.path("state").asText()).isEqualTo("registered");
            assertThat(row.path("lastResponse").asText()).isEqualTo("200 OK");
            assertThat(row.path("nextRefreshAt").isTextual()).isTrue();
            assertThat(ok("instances", "--state", "error").path("matching").asLong()).isZero();
            assertThat(ok("instances", "--user", "bob").path("matching").asLong()).isZero();
            JsonNode paged = ok("instances", "--state", "registered", "--prefix", "0bc", "--page", "2", "--size", "50");
            assertThat(paged.path("matching").asLong()).isEqualTo(1);
            assertThat(paged.path("page").asInt()).isEqualTo(2);
            assertThat(paged.path("instances").size()).isZero();
            assertThat(ok("--url", base, "registrars").path("registrars").size()).isEqualTo(1);

            Cli one = ctl("instance", SELECTOR);
            assertThat(one.code).as(one.err).isZero();
            assertThat(one.out).doesNotContain("sip-password").doesNotContain("app-secret").doesNotContain("voip-token-123456789");
            JsonNode detail = JSON.readTree(one.out);
            assertThat(detail.path("account").path("user").asText()).isEqualTo("alice");
            assertThat(detail.path("tokens").get(0).path("tokenEnd").asText()).isEqualTo("…23456789");
            assertThat(detail.path("callId").asText()).isNotEmpty();

            JsonNode regs = ok("registrars");
            assertThat(regs.path("registrars").get(0).path("registrar").asText()).isEqualTo("127.0.0.1");
            assertThat(regs.path("registrars").get(0).path("states").path("registered").asLong()).isEqualTo(1);
            assertThat(regs.path("throttle").path("hosts").get(0).path("address").asText()).isEqualTo("127.0.0.1");

            int before = registrar.registers.size();
            assertThat(ok("refresh", SELECTOR).path("result").asText()).isEqualTo("started");
            await().atMost(Duration.ofSeconds(30)).until(() -> registrar.registers.size() > before);

            assertThat(ok("disable", SELECTOR).path("result").asText()).isEqualTo("disabled");
            await().atMost(Duration.ofSeconds(30)).until(() -> ok("instance", SELECTOR).path("state").asText().equals("idle"));
            JsonNode disabled = ok("instance", SELECTOR);
            assertThat(disabled.path("disabled").asBoolean()).isTrue();
            assertThat(disabled.path("reason").asText()).contains("disabled");
            assertThat(UdpRegistrar.header(registrar.registers.get(registrar.registers.size() - 1), "Contact"))
                    .contains("expires=0");
            assertThat(ok("enable", SELECTOR).path("result").asText()).isEqualTo("enabled");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ok("instance", SELECTOR).path("state").asText().equals("registered"));

            JsonNode push = ok("push-test", SELECTOR);
            assertThat(push.path("detail").asText()).contains("APNS INCOMING_CALL …23456789: rejected");

            assertThat(ok("log-level", "org.opensipis.sip", "debug").path("previous").asText()).isEqualTo("inherit");
            assertThat(ok("log-level").path("loggers").path("org.opensipis.sip").asText()).isEqualTo("debug");
            Cli badLevel = ctl("log-level", "org.opensipis.sip", "loud");
            assertThat(badLevel.code).isEqualTo(1);
            assertThat(badLevel.err).contains("is not one of");
            ok("log-level", "org.opensipis.sip", "inherit");

            checkMetrics(base);

            assertThat(ok("unregister", SELECTOR).path("result").asText()).isEqualTo("unregistered");
            await().atMost(Duration.ofSeconds(30)).until(() -> ctl("instance", SELECTOR).code == 1);
            assertThat(ctl("instance", SELECTOR).err).contains("404");
            assertThat(ctl("instance", "not-a-selector").err).contains("400");
        }
    }

    /** After all that, every series of /metrics follows the Prometheus naming rules, and the promised ones are there. */
    private static void checkMetrics(String base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        java.util.List<String> names = new java.util.ArrayList<>();
        assertThat(PrometheusNaming.problems(r.body(), names)).isEmpty();
        assertThat(names).contains("sipis_instances", "sipis_owner_queue_size", "sipis_register_throttle_queue_size",
                "sipis_db_write_queue_size", "sipis_register_sent_total", "sipis_register_responses_total",
                "sipis_register_retransmissions_total", "sipis_register_in_flight", "sipis_pushes_total",
                "sipis_push_tokens_removed_total", "sipis_push_retries_total", "sipis_push_circuits_open",
                "sipis_app_flows_open", "sipis_app_flows_opened_total", "hikaricp_connections_active",
                "jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage", "process_uptime_seconds",
                "process_files_open_files");
        assertThat(r.body()).contains("sipis_instances{state=\"registered\"} 1",
                "sipis_register_responses_total{code=\"200\"}");
    }

    private void register(String base, int registrarPort) throws Exception {
        String body = "{\"selector\":\"" + SELECTOR + "\",\"appId\":\"com.example.app\",\"appSecret\":\"app-secret\","
                + "\"account\":{\"user\":\"alice\",\"password\":\"sip-password\",\"domain\":\"example.com\",\"proxy\":\"127.0.0.1:"
                + registrarPort + "\",\"transport\":\"UDP\",\"expires\":300},"
                + "\"tokens\":[{\"platform\":\"APNS\",\"kind\":\"INCOMING_CALL\",\"token\":\"voip-token-123456789\"}]}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/sipis/register"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private record Cli(int code, String out, String err) {
    }

    private Cli ctl(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "ctl";
        all[1] = "--settings";
        all[2] = settings.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        CommandLine cl = SipisCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(all);
        return new Cli(code, out.toString(), err.toString());
    }

    private JsonNode ok(String... args) throws Exception {
        Cli c = ctl(args);
        assertThat(c.code).as(String.join(" ", args) + ": " + c.err).isZero();
        return JSON.readTree(c.out);
    }
}
