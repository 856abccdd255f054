package org.opensipis.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;

@Timeout(60)
class StatusEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer t;

    @BeforeAll
    static void start() {
        t = new TestServer(AuthenticationMethod.NONE, true, HttpLimits.DEFAULTS, "Sipis1", new InMemoryStore(),
                FakeInstances.withRows(100_000));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @Test
    void aboutNamesTheServer() throws Exception {
        HttpResponse<String> r = t.get("/about");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.get("name").asText()).isEqualTo("Sipis1");
        assertThat(n.get("version").asText()).isEqualTo("0.1.0");
        assertThat(n.get("build").asText()).isEqualTo("test-build");
        assertThat(n.get("uptimeSeconds").asLong()).isEqualTo(42);
        assertThat(n.get("messageLoopQueueSize").asLong()).isEqualTo(7);
        assertThat(n.get("ownerQueueSizes").toString()).isEqualTo("[1,2,0,4]");
    }

    @Test
    void summaryHasTheExactShapeExportersParse() throws Exception {
        HttpResponse<String> r = t.get("/stats/summary/json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(names(n)).containsExactly("Server", "Instance");
        assertThat(names(n.get("Server"))).containsExactly("Name", "VersionString", "VersionNumber", "Build",
                "UptimeInSeconds", "MessageLoopQueueSize");
        assertThat(names(n.get("Instance"))).containsExactly("Count", "CountInState");
        assertThat(names(n.get("Instance").get("CountInState")))
                .containsExactly("Idle", "Registered", "Registering", "Unauthorized", "Error");
        assertThat(n.get("Server").get("Name").asText()).isEqualTo("Sipis1");
        assertThat(n.get("Server").get("UptimeInSeconds").isNumber()).isTrue();
        assertThat(n.get("Instance").get("Count").asLong()).isEqualTo(100_000);
        // 6 states round-robin over 100,000 rows: Idle gets indices 0,6,12,...
        assertThat(n.get("Instance").get("CountInState").get("Idle").asLong()).isEqualTo(16_667);
        assertThat(n.get("Instance").get("CountInState").get("Error").asDouble()).isEqualTo(16_666.0);
    }

    @Test
    void statsPageHasAllSectionsAndOnePage() throws Exception {
        HttpResponse<String> r = t.get("/stats");
        assertThat(r.statusCode()).isEqualTo(200);
        String html = r.body();
        assertThat(html).contains("<h1>Server</h1>", "<h1>Incoming Call Outcomes</h1>", "<h1>Push Test Outcomes</h1>",
                "<h1>Instances</h1>", "100000 matching; page 1 of 1000");
        assertThat(html).contains("rejected: &lt;busy&gt;").doesNotContain("<busy>");
        assertThat(rowCount(html)).isEqualTo(StatusLimits.DEFAULT_SIZE);
        // row 4: state Error with reason, age 4 s = 0 ticks; row 10 age 10 s = 2 ticks
        assertThat(html).contains("<td>" + String.format("%040X:%08X", 4, 4) + "</td><td>user4</td>");
        assertThat(html).contains("Error (403 Forbidden)");
    }

    @Test
    void statsIsPaginatedAndSearchableBySelectorPrefix() throws Exception {
        HttpResponse<String> r = t.get("/stats?size=500&page=3");
        assertThat(rowCount(r.body())).isEqualTo(500);
        assertThat(r.body()).contains(String.format("<td>%040X:%08X</td>", 1000, 1000))
                .doesNotContain(String.format("<td>%040X:%08X</td>", 999, 999));

        String prefix = String.format("%040X", 12_345).substring(0, 38).toLowerCase();
        r = t.get("/stats?prefix=" + prefix);
        assertThat(r.body()).contains("256 matching; page 1 of 3");
        assertThat(rowCount(r.body())).isEqualTo(100);

        r = t.get("/stats?prefix=" + String.format("%040X:%08X", 77, 77));
        assertThat(r.body()).contains("1 matching").contains("<td>user77</td>");
    }

    @Test
    void badPagingIsA400() throws Exception {
        assertThat(t.get("/stats?size=501").statusCode()).isEqualTo(400);
        assertThat(t.get("/stats?size=0").statusCode()).isEqualTo(400);
        assertThat(t.get("/stats?page=-1").statusCode()).isEqualTo(400);
        assertThat(t.get("/stats?page=abc").statusCode()).isEqualTo(400);
        assertThat(t.get("/stats?prefix=%3Cscript%3E").statusCode()).isEqualTo(400);
        assertThat(t.get("/stats?page=99999").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        org.opensipis.core.metrics.MetricsSink sink = new org.opensipis.http.metrics.MicrometerMetricsSink(t.meters);
        sink.push("apns", "accepted", java.time.Duration.ofMillis(120));
        sink.registerSent();
        sink.registerSent();
        sink.registerResponse(401);
        sink.registerResponse(0);
        sink.registerResponse(9999);
        sink.incomingCall("Missed");
        sink.incomingCallRejected("unknown-instance");
        sink.incomingCall("rejected:busy");
        sink.pushTokenRemoved("apns");
        HttpResponse<String> r = t.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body()).contains("sipis_instances{state=\"registered\"} 16667",
                "sipis_register_throttle_queue_size 7", "sipis_owner_queue_size 7", "sipis_db_available 1",
                "sipis_pushes_total{outcome=\"accepted\",provider=\"apns\"} 1",
                "sipis_push_latency_seconds_bucket{provider=\"apns\"", "sipis_register_sent_total 2",
                "sipis_register_responses_total{code=\"401\"} 1", "sipis_register_responses_total{code=\"timeout\"} 1",
                "sipis_register_responses_total{code=\"other\"} 1", "sipis_incoming_calls_total{outcome=\"missed\",reason=\"none\"} 1",
                "sipis_incoming_calls_total{outcome=\"rejected\",reason=\"unknown_instance\"} 1",
                "sipis_incoming_calls_total{outcome=\"rejected\",reason=\"busy\"} 1",
                "sipis_push_tokens_removed_total{provider=\"apns\"} 1",
                "sipis_db_write_queue_size 0", "sipis_uptime_seconds 42");
        // a token removal is not a push: one push (the accepted one) and one latency sample
        assertThat(r.body()).contains("sipis_pushes_total{outcome=\"accepted\",provider=\"apns\"} 1",
                "sipis_push_latency_seconds_count{provider=\"apns\"} 1");
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static int rowCount(String html) {
        Matcher m = Pattern.compile("<tr><td>").matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Mirrors the page's defaults (package-private in the status package). */
    private static final class StatusLimits {
        static final int DEFAULT_SIZE = 100;
    }
}
