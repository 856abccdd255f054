package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opensipis.lb2.Lb2Stats;
import org.opensipis.server.Lb2Metrics;

/** The LB2 metrics listener answers /metrics with the router's series, named by the rules, and nothing else. */
class Lb2MetricsTest {

    @Test
    void lb2ServesItsOwnMetrics() throws Exception {
        try (Lb2Metrics m = Lb2Metrics.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new Lb2Stats())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            List<String> names = new ArrayList<>();
            assertThat(PrometheusNaming.problems(r.body(), names)).isEmpty();
            assertThat(names).contains("sipis_lb2_flows_total", "sipis_lb2_messages_total", "sipis_lb2_malformed_total",
                    "sipis_lb2_backend_failures_total", "sipis_lb2_no_route_total", "sipis_lb2_pings_total",
                    "jvm_memory_used_bytes", "process_uptime_seconds");
            assertThat(r.body()).contains("sipis_lb2_messages_total{direction=\"to_backend\"} 0");
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/other")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        }
    }
}
