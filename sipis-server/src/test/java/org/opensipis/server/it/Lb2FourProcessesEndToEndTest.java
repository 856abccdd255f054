package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.lb2.LoadBalancer;
import org.opensipis.server.Configuration;
import org.opensipis.server.SipisServer;

/**
 * The seed's single-machine layout on loopback: four SIPIS processes (Settings1–4, prefixes
 * 0/2, 4/2, 8/2, C/2) sharing one PostgreSQL, and our LB2 in front. An app of each quarter
 * registers through LB2 (REGISTER, 401 with the pinned realm, REGISTER with digest, 200), and
 * its flow ends up bound on the process that owns its selector — a process that does not own
 * it would have answered 403 Not-In-Shard.
 */
@Timeout(300)
class Lb2FourProcessesEndToEndTest {

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void appsOfEveryQuarterReachTheirProcessThroughLb2() throws Exception {
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        SipisKey key = SipisKey.load(dir.resolve("sipis.key"));
        String[] prefixes = {"0/2", "4/2", "8/2", "C/2"};
        int[] sip = new int[4];
        StringBuilder backend = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            sip[i] = freePort();
            backend.append("<sipis name=\"Sipis").append(i + 1).append("\" selectorprefix=\"").append(prefixes[i])
                    .append("\" address=\"127.0.0.1:").append(sip[i]).append("\"/>");
        }
        int front = freePort();
        Fixtures.write(dir.resolve("lb2/Settings.xml"), "<loadbalancer2><frontend><tcp address=\"127.0.0.1:" + front
                + "\"/></frontend><backend>" + backend + "</backend></loadbalancer2>");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            List<SipisServer> servers = new ArrayList<>();
            try (LoadBalancer lb = LoadBalancer.start(Lb2Loader.load(dir.resolve("lb2/Settings.xml")).settings(), 1)) {
                for (int i = 0; i < 4; i++) {
                    Path settings = Fixtures.write(dir.resolve("Settings" + (i + 1) + ".xml"), "<sipis><server name=\"Sipis"
                            + (i + 1) + "\" realm=\"SipisOne\" address=\"127.0.0.1\" port=\"" + sip[i] + "\""
                            + " filterinstancesaccordingtoloadbalancer2backendsection=\"Yes\"/>"
                            + "<httpserver address=\"127.0.0.1\" port=\"" + freePort() + "\" authenticationmethod=\"None\"/>"
                            + "<database openstring=\"host=127.0.0.1 port=" + pg.getPort() + " dbname=postgres user=postgres\"/>"
                            + "<lock filename=\"sipis" + (i + 1) + ".lock\"/><log filename=\"sipis" + (i + 1) + ".log\"/>"
                            + "<dataprotection keyfilename=\"sipis.key\"/><loadbalancer2 filename=\"lb2/Settings.xml\"/>"
                            // the test's registrars listen on loopback, which is refused unless opted in
                            + "<registrartargets><allow network=\"127.0.0.0/8\"/></registrartargets></sipis>");
                    SipisServer s = new SipisServer(Configuration.load(settings), key);
                    servers.add(s);
                    s.start();
                }
                char[] quarter = {'2', '6', 'A', 'E'};
                HttpClient http = HttpClient.newHttpClient();
                for (int q = 0; q < 4; q++) {
                    String selector = quarter[q] + "BCDEF0123456789ABCDEF0123456789ABCDEF01:0000000" + q;
                    // any process's HTTP interface stores the registration (here always the first)
                    String body = "{\"selector\":\"" + selector + "\",\"appId\":\"com.example.app\",\"appSecret\":\"secret" + q
                            + "\",\"foreground\":true,\"account\":{\"user\":\"u" + q + "\",\"password\":\"pw\","
                            + "\"domain\":\"127.0.0.1\",\"proxy\":\"127.0.0.1:9\",\"expires\":300},"
                            + "\"tokens\":[{\"platform\":\"FCM\",\"kind\":\"INCOMING_CALL\",\"token\":\"t\"}]}";
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + servers.get(0).httpPort() + "/sipis/register")).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    SipisServer owner = servers.get(q);
                    await().atMost(Duration.ofSeconds(30)).until(() -> owner.directory().record(selector).isPresent());

                    try (Socket app = new Socket(InetAddress.getLoopbackAddress(), front)) {
                        app.setSoTimeout(20_000);
                        String challenge = exchange(app, register(selector, 1, ""));
                        assertThat(challenge).as("answer of the owner, not 403 Not-In-Shard").startsWith("SIP/2.0 401");
                        String ok = exchange(app, register(selector, 2, authorization(challenge, selector, "secret" + q)));
                        assertThat(ok).startsWith("SIP/2.0 200");
                        await().atMost(Duration.ofSeconds(10)).until(() -> owner.hasAppFlow(selector));
                        for (int other = 0; other < 4; other++) {
                            if (other != q) {
                                assertThat(servers.get(other).hasAppFlow(selector)).isFalse();
                            }
                        }
                    }
                }
                assertThat(lb.stats().flows()).isEqualTo(4);
            } finally {
                for (SipisServer s : servers) {
                    s.close();
                }
            }
        }
    }

    private static String register(String selector, int cseq, String authorization) {
        String user = selector.replace(":", "%3A");
        return "REGISTER sip:sipis.test SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 127.0.0.1:5555;branch=z9hG4bK-" + selector.charAt(0) + cseq + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@sipis.test>;tag=a\r\n"
                + "To: <sip:" + user + "@sipis.test>\r\n"
                + "Call-ID: app-" + selector.charAt(0) + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:app@127.0.0.1:5555;transport=tcp;ob>\r\n"
                + authorization
                + "Expires: 600\r\nContent-Length: 0\r\n\r\n";
    }

    private static String authorization(String challenge, String selector, String secret) throws Exception {
        String realm = param(challenge, "realm");
        String nonce = param(challenge, "nonce");
        String uri = "sip:sipis.test";
        String ha1 = md5(selector + ":" + realm + ":" + secret);
        String ha2 = md5("REGISTER:" + uri);
        String cnonce = "0a4f113b";
        String nc = "00000001";
        String response = md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Authorization: Digest username=\"" + selector + "\", realm=\"" + realm + "\", nonce=\"" + nonce
                + "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=MD5, qop=auth, nc=" + nc
                + ", cnonce=\"" + cnonce + "\"\r\n";
    }

    private static String param(String message, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(message);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + message);
        }
        return m.group(1);
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + b);
            }
            if (b.size() == 0 && (c == '\r' || c == '\n')) {
                continue;
            }
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return b.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
