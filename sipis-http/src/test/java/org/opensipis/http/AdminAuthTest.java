package org.opensipis.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;

@Timeout(60)
class AdminAuthTest {

    @Test
    void digestChallengeAndResponseComputedByTheClient() throws Exception {
        try (TestServer t = new TestServer(AuthenticationMethod.DIGEST)) {
            HttpResponse<String> first = t.get("/stats");
            assertThat(first.statusCode()).isEqualTo(401);
            Map<String, String> c = challenge(first);
            assertThat(c.get("realm")).isEqualTo("SIPIS Sipis1");
            assertThat(c.get("qop")).isEqualTo("auth");
            assertThat(c.get("algorithm")).isEqualTo("MD5");

            HttpResponse<String> ok = withDigest(t, "/stats?page=2", c, "admin", "s3cret", "00000001");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(ok.body()).contains("<h1>Instances</h1>");

            assertThat(withDigest(t, "/stats", c, "admin", "wrong", "00000002").statusCode()).isEqualTo(401);
            assertThat(withDigest(t, "/stats", c, "root", "s3cret", "00000003").statusCode()).isEqualTo(401);

            // A forged nonce is refused even with the right password.
            Map<String, String> forged = new java.util.HashMap<>(c);
            forged.put("nonce", "ffffffffffff.AAAAAAAAAAAAAAAAAAAAAA");
            assertThat(withDigest(t, "/stats", forged, "admin", "s3cret", "00000004").statusCode()).isEqualTo(401);

            // After the nonce lifetime the same credentials get stale=true and a fresh nonce.
            t.clock.advance(Duration.ofMinutes(6));
            HttpResponse<String> stale = withDigest(t, "/stats", c, "admin", "s3cret", "00000005");
            assertThat(stale.statusCode()).isEqualTo(401);
            Map<String, String> fresh = challenge(stale);
            assertThat(stale.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("stale=true");
            assertThat(withDigest(t, "/stats", fresh, "admin", "s3cret", "00000001").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void digestAcceptsTheUriSeenBeforeAnNginxPrefixWasStripped() throws Exception {
        try (TestServer t = new TestServer(AuthenticationMethod.DIGEST)) {
            Map<String, String> c = challenge(t.get("/stats"));
            String auth = digest(c, "GET", "/sipis5000/stats", "admin", "s3cret", "00000001");
            HttpResponse<String> r = t.client.send(HttpRequest.newBuilder(t.uri("/stats"))
                    .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            auth = digest(c, "GET", "/metrics", "admin", "s3cret", "00000002");
            r = t.client.send(HttpRequest.newBuilder(t.uri("/stats")).header("Authorization", auth).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void publicEndpointsNeedNoCredentialsUnderDigest() throws Exception {
        try (TestServer t = new TestServer(AuthenticationMethod.DIGEST)) {
            assertThat(t.get("/about").statusCode()).isEqualTo(200);
            assertThat(t.get("/stats/summary/json").statusCode()).isEqualTo(200);
            assertThat(t.get("/metrics").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void basic() throws Exception {
        try (TestServer t = new TestServer(AuthenticationMethod.BASIC)) {
            HttpResponse<String> r = t.get("/stats");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Basic realm=\"SIPIS Sipis1\"");
            assertThat(basic(t, "admin:s3cret").statusCode()).isEqualTo(200);
            assertThat(basic(t, "admin:s3cre").statusCode()).isEqualTo(401);
            assertThat(basic(t, "admin").statusCode()).isEqualTo(401);
            HttpResponse<String> garbage = t.client.send(HttpRequest.newBuilder(t.uri("/stats"))
                    .header("Authorization", "Basic !!!notbase64").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(garbage.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void none() throws Exception {
        try (TestServer t = new TestServer(AuthenticationMethod.NONE)) {
            assertThat(t.get("/stats").statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> basic(TestServer t, String userPass) throws Exception {
        String h = "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
        return t.client.send(HttpRequest.newBuilder(t.uri("/stats")).header("Authorization", h).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> withDigest(TestServer t, String path, Map<String, String> c, String user,
                                                   String password, String nc) throws Exception {
        String auth = digest(c, "GET", path, user, password, nc);
        return t.client.send(HttpRequest.newBuilder(t.uri(path)).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** RFC 7616 §3.4.1 with MD5 and qop=auth, computed independently of the server. */
    static String digest(Map<String, String> c, String method, String uri, String user, String password, String nc)
            throws Exception {
        String cnonce = "0a4f113b";
        String ha1 = md5(user + ":" + c.get("realm") + ":" + password);
        String ha2 = md5(method + ":" + uri);
        String response = md5(ha1 + ":" + c.get("nonce") + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + c.get("realm") + "\", nonce=\"" + c.get("nonce")
                + "\", uri=\"" + uri + "\", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce + "\", response=\""
                + response + "\", opaque=\"" + c.get("opaque") + "\", algorithm=MD5";
    }

    static Map<String, String> challenge(HttpResponse<?> r) {
        String h = r.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertThat(h).startsWith("Digest ");
        Map<String, String> out = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]+))").matcher(h.substring(7));
        while (m.find()) {
            out.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
