package org.opensipis.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;
import org.opensipis.http.register.RegisterEndpoint;

/**
 * Sends 10,000 random and mutated requests over raw sockets (seeded, so a failure replays):
 * broken request lines, huge headers, wrong and missing lengths, truncated and chunked bodies,
 * mutated JSON and sealed envelopes. No reply may be a 5xx, and afterwards a well-formed
 * registration still works.
 */
@Timeout(240)
class FuzzTest {

    static final long SEED = 20_261_130L;
    static final int REQUESTS = 10_000;
    static final int CLIENTS = 4;

    private static final String[] PATHS = {"/sipis/register", "/sipis/unregister", "/sipis/refresh", "/sipis/tokens",
        "/about", "/stats", "/stats/summary/json", "/metrics", "/", "/stats?page=2&size=3", "/stats?prefix=1A",
        "/%00", "/%zz", "/sipis/register/", "//stats", "/stats?page=99999999999", "/../etc/passwd", "*"};
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE",
        "CONNECT", "get", "P0ST", ""};

    @Test
    void tenThousandHostileRequestsNeverGet5xxAndTheServerStillWorks() throws Exception {
        Map<Integer, Integer> byStatus = new ConcurrentSkipListMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (TestServer t = new TestServer(AuthenticationMethod.DIGEST, true,
                HttpLimits.DEFAULTS.withTimeouts(Duration.ofMillis(800), Duration.ofSeconds(2)), "Sipis1",
                new InMemoryStore(), FakeInstances.withRows(50))) {
            List<Future<?>> slices = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long seed = SEED + c;
                slices.add(clients.submit(() -> {
                    slice(t.server.port(), seed, REQUESTS / CLIENTS, byStatus);
                    return null;
                }));
            }
            for (Future<?> f : slices) {
                f.get();
            }
            HttpResponse<String> ok = t.postJson("/sipis/register", TestServer.registration(TestServer.SEL1));
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(t.store.records).containsKey(TestServer.SEL1);
            assertThat(t.get("/about").statusCode()).isEqualTo(200);
        } finally {
            clients.shutdownNow();
        }
        // Most requests must have reached real handlers, not only the codec.
        assertThat(byStatus.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThan(REQUESTS * 9 / 10);
        assertThat(byStatus.getOrDefault(200, 0)).as("%s", byStatus).isGreaterThan(100);
        assertThat(byStatus.getOrDefault(400, 0)).as("%s", byStatus).isGreaterThan(1000);
        assertThat(byStatus.keySet()).as("%s", byStatus).contains(404, 405, 413);
    }

    /** One client's share; seeded separately so a failure names the seed that replays it. */
    private static void slice(int port, long seed, int count, Map<Integer, Integer> byStatus) throws Exception {
        Random rnd = new Random(seed);
        for (int i = 0; i < count; i++) {
            byte[] req = request(rnd);
            String reply = RawHttp.exchange(port, req, true, 5000);
            for (int status : RawHttp.statuses(reply)) {
                byStatus.merge(status, 1, Integer::sum);
                assertThat(status).as("request #%d (seed %d):%n%s%nreply:%n%s", i, seed,
                        abbreviate(new String(req, StandardCharsets.ISO_8859_1)), abbreviate(reply))
                        .isLessThan(500);
            }
            assertThat(reply).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    private static byte[] request(Random rnd) {
        int kind = rnd.nextInt(100);
        if (kind < 5) {
            byte[] b = new byte[rnd.nextInt(300)];
            rnd.nextBytes(b);
            return b;
        }
        if (kind < 45) {
            return framed(rnd, "POST", pick(rnd, PATHS, 4), "application/json", mutateJson(rnd).getBytes(StandardCharsets.UTF_8), rnd);
        }
        if (kind < 55) {
            String json = rnd.nextBoolean() ? TestServer.registration(TestServer.SEL2) : mutateJson(rnd);
            String env = TestServer.KEY.seal(json, rnd.nextInt(5) == 0 ? "other" : RegisterEndpoint.SEAL_CONTEXT);
            if (rnd.nextBoolean()) {
                env = mutateText(rnd, env);
            }
            return framed(rnd, "POST", "/sipis/register", RegisterEndpoint.SEALED_TYPE, env.getBytes(StandardCharsets.UTF_8), rnd);
        }
        if (kind < 70) {
            return framed(rnd, pick(rnd, METHODS, METHODS.length), pick(rnd, PATHS, PATHS.length), "text/plain",
                    new byte[0], rnd);
        }
        byte[] base = framed(rnd, "POST", "/sipis/register", "application/json",
                TestServer.registration(TestServer.SEL1).getBytes(StandardCharsets.UTF_8), rnd);
        return mutateBytes(rnd, base);
    }

    /** A syntactically framed request, sometimes with hostile headers or a lying Content-Length. */
    private static byte[] framed(Random rnd, String method, String path, String type, byte[] body, Random r) {
        StringBuilder h = new StringBuilder();
        h.append(method).append(' ').append(path).append(r.nextInt(20) == 0 ? " HTTP/1.0" : " HTTP/1.1").append("\r\n");
        h.append("Host: 127.0.0.1\r\nContent-Type: ").append(type).append("\r\n");
        boolean chunked = r.nextInt(10) == 0;
        int roll = r.nextInt(20);
        if (chunked) {
            h.append("Transfer-Encoding: chunked\r\n");
        } else if (roll == 0) {
            h.append("Content-Length: ").append(r.nextInt(200_000)).append("\r\n");
        } else if (roll == 1) {
            h.append("Content-Length: -").append(r.nextInt(10)).append("\r\n");
        } else if (roll == 2) {
            h.append("Content-Length: 5\r\nContent-Length: 7\r\n");
        } else if (roll != 3) {
            h.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (r.nextInt(15) == 0) {
            h.append("X-Huge: ").append("x".repeat(r.nextInt(20_000))).append("\r\n");
        }
        if (r.nextInt(10) == 0) {
            h.append("Authorization: ").append(r.nextBoolean() ? "Digest username=\"admin\", nonce=\"1.2\", uri=\"/stats\","
                    + " response=\"" + Long.toHexString(r.nextLong()) + "\", qop=auth, nc=1, cnonce=\"x\""
                    : "Basic " + Long.toHexString(r.nextLong())).append("\r\n");
        }
        if (r.nextInt(10) == 0) {
            h.append("Expect: 100-continue\r\n");
        }
        h.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (chunked) {
            int pos = 0;
            while (pos < body.length) {
                int n = Math.min(body.length - pos, 1 + r.nextInt(64));
                out.writeBytes((Integer.toHexString(n) + (r.nextInt(30) == 0 ? "zz" : "") + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, pos, n);
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                pos += n;
            }
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } else {
            out.writeBytes(body);
        }
        byte[] b = out.toByteArray();
        if (rnd.nextInt(10) == 0) {
            return java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        }
        return b;
    }

    private static String mutateJson(Random rnd) {
        String[] fields = {"selector", "appId", "premium", "foreground", "appSecret", "account", "tokens", "action",
            "user", "password", "domain", "proxy", "port", "transport", "expires", "platform", "kind", "token"};
        String[] values = {"null", "true", "0", "-1", "1e999", "99999999999999999999", "\"\"", "\"" + "A".repeat(5000) + "\"",
            "[]", "{}", "[1,2,3]", "\"\\u0000\"", "\"\\ud800\"", "\"zz:zz\"", "{\"a\":{\"b\":{}}}", "\"REGISTER\"",
            "\"unregister\"", "\"refresh\"", "\"tokens\"", "\"FCM\"", "\"OTHER\"", "\"12869E0E\""};
        String json = TestServer.registration(rnd.nextBoolean() ? TestServer.SEL1 : TestServer.SEL2);
        int ops = 1 + rnd.nextInt(4);
        for (int i = 0; i < ops; i++) {
            int op = rnd.nextInt(6);
            String f = pick(rnd, fields, fields.length);
            if (op == 0) {
                json = json.replaceFirst("\"" + f + "\":(\"[^\"]*\"|[^,}\\]]*)", "\"" + f + "\":" + pick(rnd, values, values.length));
            } else if (op == 1) {
                json = json.replaceFirst("\"" + f + "\"", "\"" + f + "x\"");
            } else if (op == 2) {
                json = "[".repeat(rnd.nextInt(3000)) + json;
            } else if (op == 3) {
                json = "{\"action\":" + pick(rnd, values, values.length) + ",\"selector\":\"" + TestServer.SEL1 + "\"}";
            } else {
                json = mutateText(rnd, json);
            }
        }
        return json;
    }

    private static String mutateText(Random rnd, String s) {
        StringBuilder b = new StringBuilder(s);
        int n = 1 + rnd.nextInt(5);
        for (int i = 0; i < n && b.length() > 0; i++) {
            int pos = rnd.nextInt(b.length());
            switch (rnd.nextInt(3)) {
                case 0 -> b.setCharAt(pos, (char) (32 + rnd.nextInt(95)));
                case 1 -> b.deleteCharAt(pos);
                default -> b.insert(pos, (char) rnd.nextInt(0x3000));
            }
        }
        return b.toString();
    }

    private static byte[] mutateBytes(Random rnd, byte[] b) {
        List<Byte> l = new ArrayList<>(b.length);
        for (byte x : b) {
            l.add(x);
        }
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n && !l.isEmpty(); i++) {
            int pos = rnd.nextInt(l.size());
            switch (rnd.nextInt(4)) {
                case 0 -> l.set(pos, (byte) rnd.nextInt(256));
                case 1 -> l.remove(pos);
                case 2 -> l.add(pos, (byte) rnd.nextInt(256));
                default -> l.add(pos, (byte) '\n');
            }
        }
        byte[] out = new byte[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.get(i);
        }
        return out;
    }

    private static String pick(Random rnd, String[] a, int bound) {
        return a[rnd.nextInt(bound)];
    }

    private static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "…(" + s.length() + " chars)" : s;
    }
}
