package org.opensipis.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.abuse.PortSet;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.abuse.TargetPolicy;
import org.opensipis.core.abuse.TargetRule;
import org.opensipis.core.settings.AbuseSettings;
import org.opensipis.core.settings.AbuseSettings.RegisterLimits;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;

/**
 * The abuse controls of /sipis/register over real sockets: registrar targets refused with a 400
 * naming the rule (nothing stored), the per-source limit (a 1,000-request burst from one
 * loopback address gets 429 + Retry-After while another address is served; time is the test's
 * clock), X-Forwarded-For from trusted proxies only, quotas, metrics and the audit on /stats.
 */
class AbuseControlsTest {

    private TestServer t;
    private final Map<String, List<InetAddress>> dns = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        if (t != null) {
            t.close();
        }
    }

    private TestServer server(TargetPolicy targets, RegisterLimits limits) {
        t = new TestServer(AuthenticationMethod.NONE, true, HttpLimits.DEFAULTS, "Sipis1", new InMemoryStore(),
                FakeInstances.withRows(20), new AbuseSettings(targets, limits), dns);
        return t;
    }

    private static RegisterLimits limits(List<Cidr> trusted, Quotas quotas) {
        return new RegisterLimits(10, 100, 100_000, 64, trusted, quotas);
    }

    private static TargetRule rule(boolean allow, String network) {
        return new TargetRule(allow, Optional.empty(), Optional.of(Cidr.parse(network)), Optional.empty(), "S.xml:9");
    }

    private static String body(String selector, String user, String domain, String proxy) {
        return """
                {"selector":"%s","appId":"com.example.app","appSecret":"s",
                 "account":{"user":"%s","password":"pw","domain":"%s"%s},
                 "tokens":[{"platform":"APNS","kind":"INCOMING_CALL","token":"aabb"}]}
                """.formatted(selector, user, domain, proxy == null ? "" : ",\"proxy\":\"" + proxy + "\"");
    }

    @Test
    void inwardAndDeniedRegistrarsAreRefusedWithTheRuleAndNothingIsStored() throws Exception {
        dns.put("inward.example", List.of(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("127.0.0.1")));
        dns.put("fine.example", List.of(InetAddress.getByName("192.0.2.1")));
        server(new TargetPolicy(true, PortSet.ALL, List.of(rule(false, "203.0.113.0/24"), rule(true, "10.20.0.0/16"))),
                RegisterLimits.DEFAULTS);
        Map<String, String> refused = Map.of(
                "127.0.0.1:5060", "loopback",
                "[::1]", "loopback",
                "169.254.10.1", "link-local",
                "169.254.169.254", "cloud metadata",
                "[fd00:ec2::254]", "cloud metadata",
                "100.100.100.200", "cloud metadata",
                "10.0.0.7:22", "private",
                "203.0.113.9", "RegistrarTargets/Deny[Network=\\\"203.0.113.0/24\\\"] (S.xml:9)",
                "inward.example", "inward.example -> 127.0.0.1");
        int i = 0;
        for (Map.Entry<String, String> e : refused.entrySet()) {
            String sel = String.format("A%07X", i++);
            HttpResponse<String> r = t.postJson("/sipis/register", body(sel, "u" + i, "example.com", e.getKey()));
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
            assertThat(r.body()).as(e.getKey()).contains("account proxy is not allowed").contains(e.getValue());
            assertThat(t.store.records).doesNotContainKey(sel);
        }
        // the domain is the registrar when there is no proxy
        HttpResponse<String> r = t.postJson("/sipis/register", body("B0000001", "d", "127.0.0.1", null));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("account domain is not allowed");

        assertThat(t.postJson("/sipis/register", body("C0000001", "ok1", "example.com", "fine.example")).statusCode())
                .isEqualTo(200);
        assertThat(t.postJson("/sipis/register", body("C0000002", "ok2", "example.com", "10.20.1.2:5060")).statusCode())
                .as("an allowed private range").isEqualTo(200);
        assertThat(t.postJson("/sipis/register", body("C0000003", "ok3", "unknown.example", null)).statusCode())
                .as("a name without an address now is left to the engine").isEqualTo(200);
        assertThat(t.get("/metrics").body()).contains("sipis_http_register_refused_total{reason=\"target\"} 10.0");
    }

    @Test
    void aThousandRequestBurstFromOneSourceGets429WhileAnotherSourceIsServed() throws Exception {
        server(TargetPolicy.defaults(), limits(List.of(), Quotas.NONE)); // no trusted proxy: the peer is the source
        String refresh = "POST /sipis/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 21\r\n\r\n{\"selector\":\"ABCDEF\"}";
        int[] counts = new int[600];
        String lastRetryAfter = null;
        try (Client flood = new Client("127.0.0.2", t.server.port())) {
            for (int i = 0; i < 1000; i++) {
                Client.Response resp = flood.send(refresh);
                counts[resp.status]++;
                if (resp.status == 429) {
                    lastRetryAfter = resp.retryAfter;
                }
            }
            assertThat(counts[404]).as("the burst allowance").isEqualTo(100);
            assertThat(counts[429]).isEqualTo(900);
            assertThat(lastRetryAfter).isEqualTo("1");

            try (Client other = new Client("127.0.0.3", t.server.port())) {
                assertThat(other.send(refresh).status).as("another source").isEqualTo(404);
            }
            t.clock.advance(Duration.ofSeconds(1)); // 10 tokens back
            int served = 0;
            for (int i = 0; i < 20; i++) {
                served += flood.send(refresh).status == 404 ? 1 : 0;
            }
            assertThat(served).isEqualTo(10);
        }
        assertThat(t.get("/metrics").body()).contains("sipis_http_rate_limited_total 910.0");
    }

    @Test
    void forwardedForCountsOnlyThroughTrustedProxies() throws Exception {
        server(TargetPolicy.defaults(), limits(List.of(Cidr.parse("127.0.0.1")), Quotas.NONE));
        String req = "POST /sipis/refresh HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: %s\r\nContent-Type: application/json\r\n"
                + "Content-Length: 21\r\n\r\n{\"selector\":\"ABCDEF\"}";
        try (Client proxy = new Client("127.0.0.1", t.server.port())) {
            int limited = 0;
            for (int i = 0; i < 150; i++) {
                // a client's own X-Forwarded-For is on the left; nginx appends the real peer
                limited += proxy.send(req.formatted("203.0.113.50, 198.51.100.7")).status == 429 ? 1 : 0;
            }
            assertThat(limited).isEqualTo(50);
            assertThat(proxy.send(req.formatted("198.51.100.7")).status).isEqualTo(429);
            assertThat(proxy.send(req.formatted("198.51.100.8")).status).isEqualTo(404);
            // no X-Forwarded-For from a trusted proxy: not attributable, not limited, counted
            for (int i = 0; i < 150; i++) {
                assertThat(proxy.send(req.replace("X-Forwarded-For: %s\r\n", "")).status).isEqualTo(404);
            }
        }
        try (Client untrusted = new Client("127.0.0.4", t.server.port())) {
            int limited = 0;
            for (int i = 0; i < 101; i++) {
                // a fresh forged address every time does not help: the peer is not trusted
                limited += untrusted.send(req.formatted("192.0.2." + (i % 250))).status == 429 ? 1 : 0;
            }
            assertThat(limited).isEqualTo(1);
        }
        assertThat(t.get("/metrics").body()).contains("sipis_http_unattributed_requests_total 150.0");
    }

    @Test
    void quotasPerUserAndPerRegistrarHold() throws Exception {
        server(TargetPolicy.defaults(), limits(RegisterLimits.DEFAULT_TRUSTED_PROXIES, new Quotas(3, 2)));
        assertThat(t.postJson("/sipis/register", body("D1", "alice", "example.com", "sip.example.com")).statusCode()).isEqualTo(200);
        assertThat(t.postJson("/sipis/register", body("D2", "alice", "example.com", "sip.example.com")).statusCode()).isEqualTo(200);
        HttpResponse<String> third = t.postJson("/sipis/register", body("D3", "Alice", "EXAMPLE.com", "sip.example.com"));
        assertThat(third.statusCode()).isEqualTo(403);
        assertThat(third.body()).contains("SIP user alice@example.com already has 2 instances")
                .contains("RegisterLimits[MaxInstancesPerUser=\\\"2\\\"]");
        assertThat(t.postJson("/sipis/register", body("D1", "alice", "example.com", "sip.example.com")).statusCode())
                .as("re-registering an instance does not count against it").isEqualTo(200);
        assertThat(t.postJson("/sipis/register", body("D4", "bob", "example.com", "SIP.example.com")).statusCode()).isEqualTo(200);
        HttpResponse<String> fourth = t.postJson("/sipis/register", body("D5", "carol", "example.com", "sip.example.com"));
        assertThat(fourth.statusCode()).isEqualTo(403);
        assertThat(fourth.body()).contains("registrar sip.example.com already has 3 instances")
                .contains("MaxInstancesPerRegistrar");
        assertThat(t.store.records).containsOnlyKeys("D1", "D2", "D4");
        String metrics = t.get("/metrics").body();
        assertThat(metrics).contains("sipis_http_register_refused_total{reason=\"quota_user\"} 1.0")
                .contains("sipis_http_register_refused_total{reason=\"quota_registrar\"} 1.0");
    }

    @Test
    void theAdministratorSeesWhoRegisteredEachInstance() throws Exception {
        server(TargetPolicy.defaults(), RegisterLimits.DEFAULTS);
        String sel = String.format("%040X:%08X", 3, 3); // a row of the fake instance view
        String req = "POST /sipis/register HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.23\r\n"
                + "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s";
        String b = body(sel, "eve", "example.com", "sip.example.com");
        try (Client proxy = new Client("127.0.0.1", t.server.port())) {
            assertThat(proxy.send(req.formatted(b.getBytes(StandardCharsets.UTF_8).length, b)).status).isEqualTo(200);
        }
        String html = t.get("/stats").body();
        assertThat(html).contains("<th>Registered by</th>")
                .contains("created 2026-01-01T00:00:00Z from 198.51.100.23 via 127.0.0.1 (com.example.app)")
                .contains("(not recorded)");
        t.store.failing = true;
        assertThat(t.get("/stats").body()).contains("(database unavailable)");
    }

    /** One keep-alive connection from a chosen loopback source address; one request at a time. */
    static final class Client implements AutoCloseable {
        record Response(int status, String retryAfter) {
        }

        private final Socket socket = new Socket();
        private final OutputStream out;
        private final InputStream in;

        Client(String from, int port) throws IOException {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        Response send(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed after " + head);
                }
                head.write(c);
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            String retryAfter = null;
            for (String line : h.split("\r\n")) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                } else if (lower.startsWith("retry-after:")) {
                    retryAfter = line.substring(12).trim();
                }
            }
            in.readNBytes(length);
            return new Response(Integer.parseInt(h.substring(9, 12)), retryAfter);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
