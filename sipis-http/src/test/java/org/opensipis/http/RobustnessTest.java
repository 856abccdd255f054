package org.opensipis.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;

@Timeout(60)
class RobustnessTest {

    private static TestServer t;

    @BeforeAll
    static void start() {
        t = new TestServer(AuthenticationMethod.DIGEST, true,
                HttpLimits.DEFAULTS.withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(2)), "Sipis1",
                new InMemoryStore(), FakeInstances.withRows(10));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @Test
    void unknownPathIs404WithAReadableMessage() throws Exception {
        HttpResponse<String> r = t.get("/no/such/thing");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no such resource: /no/such/thing");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = t.get("/sipis/register");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("POST");
        r = t.client.send(HttpRequest.newBuilder(t.uri("/about")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("GET");
        assertThat(r.body()).contains("use GET");
    }

    @Test
    void garbageRequestLineIs400() throws Exception {
        String r = RawHttp.exchange(t.server.port(), "HELLO THERE\r\n\r\n");
        assertThat(RawHttp.statuses(r)).containsExactly(400);
        assertThat(r).contains("malformed HTTP request");
    }

    @Test
    void badPercentEncodingIs400() throws Exception {
        String r = RawHttp.exchange(t.server.port(), "GET /stats?prefix=%zz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(RawHttp.statuses(r)).containsExactly(400);
    }

    @Test
    void hugeHeaderIs431AndLongLineIs414() throws Exception {
        String r = RawHttp.exchange(t.server.port(), "GET /about HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\n\r\n");
        assertThat(RawHttp.statuses(r)).containsExactly(431);
        r = RawHttp.exchange(t.server.port(), "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(RawHttp.statuses(r)).containsExactly(414);
    }

    @Test
    void truncatedBodyGets400() throws Exception {
        String r = RawHttp.exchange(t.server.port(), "POST /sipis/register HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"selector\":");
        assertThat(RawHttp.statuses(r)).containsExactly(400);
        assertThat(r).contains("before the request was complete");
    }

    @Test
    void keepAliveAndPipeliningAnswerInOrder() throws Exception {
        String two = "GET /about HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /stats/summary/json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        String r = RawHttp.exchange(t.server.port(), two.getBytes(StandardCharsets.US_ASCII), false, 5000);
        assertThat(RawHttp.statuses(r)).containsExactly(200, 404, 200);
        assertThat(r.indexOf("\"VersionString\"")).isGreaterThan(r.indexOf("no such resource"));
    }

    @Test
    void slowClientGets408AndIsClosed() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", t.server.port()));
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /about HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(RawHttp.statuses(reply)).containsExactly(408);
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosed() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", t.server.port()));
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /about HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(RawHttp.statuses(reply)).containsExactly(200);
        }
    }

    @Test
    void expectContinueWithOversizedLengthIsRefused() throws Exception {
        String r = RawHttp.exchange(t.server.port(), "POST /sipis/register HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 10000000\r\n\r\n");
        assertThat(RawHttp.statuses(r)).isNotEmpty().allSatisfy(s -> assertThat(s).isBetween(400, 499));
    }

    @Test
    void connectionsBeyondTheLimitAreClosed() throws Exception {
        HttpLimits two = new HttpLimits(4096, 8192, 65536, Duration.ofSeconds(5), Duration.ofSeconds(30), 2, 1, 8, 4);
        try (TestServer small = new TestServer(AuthenticationMethod.NONE, true, two, "Sipis1", new InMemoryStore(),
                new FakeInstances());
             Socket a = new Socket("127.0.0.1", small.server.port());
             Socket b = new Socket("127.0.0.1", small.server.port());
             Socket c = new Socket("127.0.0.1", small.server.port())) {
            // Which of the three is refused depends on event-loop scheduling; exactly one is.
            int served = 0;
            int refused = 0;
            for (Socket s : new Socket[] {a, b, c}) {
                s.setSoTimeout(10_000);
                // Keep-alive, so served connections stay open and keep counting against the limit.
                String reply;
                try {
                    s.getOutputStream().write("GET /about HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    reply = new String(s.getInputStream().readNBytes(13), StandardCharsets.US_ASCII);
                } catch (java.io.IOException e) {
                    reply = "";
                }
                if (reply.equals("HTTP/1.1 200 ")) {
                    served++;
                } else {
                    refused++;
                }
            }
            assertThat(served).isEqualTo(2);
            assertThat(refused).isEqualTo(1);
        }
    }

    @Test
    void aPortInUseIsReportedWithTheSetting() {
        InMemoryStore store = new InMemoryStore();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.start(
                        new org.opensipis.core.settings.HttpServerSettings("127.0.0.1", t.server.port(),
                                AuthenticationMethod.NONE), TestServer.ADMIN,
                        new HttpServices(store, java.util.Optional.empty(), true, java.util.Optional.empty(),
                                org.opensipis.core.shard.Shard.all("X"), new FakeStatus("X"), new FakeInstances(),
                                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                                        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
                                java.time.Clock.systemUTC(), HttpLimits.DEFAULTS,
                                new org.opensipis.http.abuse.AbuseControls(
                                        org.opensipis.core.settings.AbuseSettings.defaults(), store,
                                        org.opensipis.core.abuse.HostResolver.NONE))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HttpServer[Address]:[Port] = 127.0.0.1:" + t.server.port());
    }
}
