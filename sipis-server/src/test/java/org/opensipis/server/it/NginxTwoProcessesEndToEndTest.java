package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.server.Configuration;
import org.opensipis.server.SipisServer;
import org.opensipis.server.plan.PlanRequest;
import org.opensipis.server.plan.Planner;

/**
 * The seed's registration path through Debian's nginx, running the site {@code sipis plan} writes
 * (without TLS, on a loopback port): it spreads {@code /sipis/register} over two SIPIS processes
 * (upstream {@code anylocalsipis}) that share one PostgreSQL and split the selector space in LB2
 * (0/1 and 8/1). Whichever process nginx picks stores the registration; the process that owns
 * the selector picks it up and registers it at the registrar, the other never does. The
 * per-source limit counts the app's address, which nginx passes in X-Forwarded-For, not nginx's.
 */
@Timeout(240)
class NginxTwoProcessesEndToEndTest {

    @TempDir
    Path dir;

    private static final String LOW = "1BCDEF0123456789ABCDEF0123456789ABCDEF01:00000001";
    private static final String HIGH = "9BCDEF0123456789ABCDEF0123456789ABCDEF01:00000002";
    /** Per process and source: 4 requests, then (at one token per 1000 s) nothing during the test. */
    private static final int BURST = 4;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Path settings(String name, int http, int pgPort) throws Exception {
        return Fixtures.write(dir.resolve("Settings" + name + ".xml"), "<sipis><server name=\"" + name + "\" realm=\"Sipis\""
                + " port=\"" + freePort() + "\""
                + " address=\"127.0.0.1\" filterinstancesaccordingtoloadbalancer2backendsection=\"Yes\"/>"
                + "<httpserver address=\"127.0.0.1\" port=\"" + http + "\" authenticationmethod=\"None\"/>"
                + "<database openstring=\"host=127.0.0.1 port=" + pgPort + " dbname=postgres user=postgres\"/>"
                + "<lock filename=\"" + name + ".lock\"/><log filename=\"" + name + ".log\"/>"
                + "<dataprotection keyfilename=\"sipis.key\"/><loadbalancer2 filename=\"lb2/Settings.xml\"/>"
                // only nginx (which connects from 127.0.0.1) speaks for others: the test's "apps"
                // on 127.0.0.2 and 127.0.0.3 are clients from the Internet
                + "<registerlimits persourcerate=\"0.001\" persourceburst=\"" + BURST + "\" trustedproxies=\"127.0.0.1/32\"/>"
                // the test's registrar listens on loopback, which is refused unless opted in
                + "<registrartargets><allow network=\"127.0.0.0/8\"/></registrartargets></sipis>");
    }

    /** Two processes behind nginx running the planned site; closed in reverse order. */
    private final class Running implements AutoCloseable {
        final int front;
        final SipisServer one;
        final SipisServer two;
        final UdpRegistrar registrar;
        private final EmbeddedPostgres pg;
        private final Process nginx;

        Running(Path nginxBinary) throws Exception {
            Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
            SipisKey key = SipisKey.load(dir.resolve("sipis.key"));
            Fixtures.write(dir.resolve("lb2/Settings.xml"), "<loadbalancer2><backend>"
                    + "<sipis name=\"Sipis1\" selectorprefix=\"0/1\" address=\"127.0.0.1:14998\"/>"
                    + "<sipis name=\"Sipis2\" selectorprefix=\"8/1\" address=\"127.0.0.1:14988\"/></backend></loadbalancer2>");
            int http1 = freePort();
            int http2 = freePort();
            front = freePort();
            Path prefix = Files.createDirectories(dir.resolve("nginx"));
            for (String d : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
                Files.createDirectories(prefix.resolve(d));
            }
            Path conf = Fixtures.write(prefix.resolve("nginx.conf"), "daemon off; master_process off; worker_processes 1;\n"
                    + "pid " + prefix + "/nginx.pid; error_log " + prefix + "/error.log warn;\n"
                    + "events { worker_connections 64; }\n"
                    + "http { access_log off; client_body_temp_path " + prefix + "/client_body; proxy_temp_path " + prefix + "/proxy;\n"
                    + " fastcgi_temp_path " + prefix + "/fastcgi; uwsgi_temp_path " + prefix + "/uwsgi; scgi_temp_path " + prefix + "/scgi;\n"
                    + plannedSite(front, http1, http2) + "}\n");
            pg = EmbeddedPostgres.builder().start();
            registrar = new UdpRegistrar();
            nginx = new ProcessBuilder(nginxBinary.toString(), "-p", prefix.toString(), "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("nginx.out").toFile()).start();
            one = new SipisServer(Configuration.load(settings("Sipis1", http1, pg.getPort())), key);
            two = new SipisServer(Configuration.load(settings("Sipis2", http2, pg.getPort())), key);
            one.start();
            two.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> accepts(front));
        }

        @Override
        public void close() throws Exception {
            try (EmbeddedPostgres p = pg; UdpRegistrar r = registrar; SipisServer a = one; SipisServer b = two) {
                nginx.destroy();
                if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                    nginx.destroyForcibly();
                }
            }
        }
    }

    /**
     * {@code nginx/host0.conf} of a one-machine, two-process plan, as {@code sipis plan} writes it,
     * with the TLS listeners replaced by a plain loopback one and the planned HTTP ports (5000,
     * 5010) by the test's.
     */
    static String plannedSite(int front, int http1, int http2) {
        String site = Planner.files(PlanRequest.of(1, 2, "sipis.example.com", "host=127.0.0.1 dbname=sipis user=sipis"))
                .get("nginx/host0.conf");
        assertThat(site).contains("proxy_set_header X-Forwarded-For $remote_addr;", "location = /health/ready");
        return site.lines()
                .filter(l -> !l.trim().startsWith("listen [::]") && !l.trim().startsWith("ssl_certificate"))
                .map(l -> l.trim().equals("listen 443 ssl;") ? "    listen 127.0.0.1:" + front + ";" : l)
                .map(l -> l.replace("127.0.0.1:5000", "127.0.0.1:" + http1).replace("127.0.0.1:5010", "127.0.0.1:" + http2))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static Path nginxBinary() {
        Path nginx = List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx")).stream()
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(nginx != null, "nginx is not installed (.ci/install.d/30-nginx.sh installs it)");
        return nginx;
    }

    private static String body(String selector, int registrarPort) {
        return "{\"selector\":\"" + selector + "\",\"appId\":\"com.example.app\",\"appSecret\":\"s\","
                + "\"account\":{\"user\":\"u" + selector.charAt(0) + "\",\"password\":\"pw\",\"domain\":\"example.com\","
                + "\"proxy\":\"127.0.0.1:" + registrarPort + "\",\"expires\":300},"
                + "\"tokens\":[{\"platform\":\"FCM\",\"kind\":\"INCOMING_CALL\",\"token\":\"t\"}]}";
    }

    @Test
    void registrationPostedToNginxIsPickedUpByTheOwningProcess() throws Exception {
        try (Running r = new Running(nginxBinary())) {
            HttpClient client = HttpClient.newHttpClient();
            for (String selector : List.of(LOW, HIGH, LOW, HIGH)) {
                HttpResponse<String> resp = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.front + "/sipis/register"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(selector, r.registrar.port()))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
                assertThat(resp.body()).contains("\"name\":\"" + (LOW.equals(selector) ? "Sipis1" : "Sipis2") + "\"");
            }
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    r.one.directory().countByState().get(RegistrationState.REGISTERED) == 1
                            && r.two.directory().countByState().get(RegistrationState.REGISTERED) == 1);
            assertThat(r.one.directory().record(LOW)).isPresent();
            assertThat(r.one.directory().record(HIGH)).isEmpty();
            assertThat(r.two.directory().record(HIGH)).isPresent();
            assertThat(r.two.directory().record(LOW)).isEmpty();
            assertThat(r.registrar.registers).extracting(m -> UdpRegistrar.header(m, "To"))
                    .anyMatch(to -> to.contains("u1@example.com")).anyMatch(to -> to.contains("u9@example.com"));
            // the planned probe locations: the machine, and each process on its own
            await().atMost(Duration.ofSeconds(30)).until(() -> get(client, r.front, "/health/ready") == 200);
            for (String path : List.of("/sipis5000/health/ready", "/sipis5010/health/ready")) {
                assertThat(get(client, r.front, path)).as(path).isEqualTo(200);
            }
        }
    }

    @Test
    void thePerSourceLimitCountsTheAppsAddressNotNginxs() throws Exception {
        try (Running r = new Running(nginxBinary())) {
            String body = body(LOW, r.registrar.port());
            // app A (127.0.0.2) empties its bucket on both processes: nginx alternates between
            // them, so two 429 in a row mean neither has a token left for A
            List<Integer> a = new ArrayList<>();
            for (int i = 0; i < 4 * BURST && !(a.size() >= 2 && a.get(a.size() - 1) == 429 && a.get(a.size() - 2) == 429); i++) {
                a.add(post(r.front, "127.0.0.2", body, null));
            }
            assertThat(a).as("app A's answers").endsWith(429, 429);
            assertThat(a.subList(0, 2 * BURST)).as("app A's first requests are within both bursts").containsOnly(200);
            // every request reached SIPIS from nginx's 127.0.0.1: had the limit counted nginx, app B
            // (127.0.0.3) would be refused too
            assertThat(post(r.front, "127.0.0.3", body, null)).isEqualTo(200);
            assertThat(post(r.front, "127.0.0.3", body, null)).isEqualTo(200);
            // nginx replaces what the app claims: a forged X-Forwarded-For does not get A a fresh bucket
            assertThat(post(r.front, "127.0.0.2", body, "198.51.100.7")).isEqualTo(429);
            assertThat(post(r.front, "127.0.0.2", body, "198.51.100.8")).isEqualTo(429);
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + r.front + "/sipis5000/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("sipis_http_unattributed_requests_total 0.0");
        }
    }

    /** POST /sipis/register to nginx from a loopback address of the test's choice; the status. */
    private static int post(int front, String from, String body, String forwardedFor) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), front), 5_000);
            s.setSoTimeout(30_000);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST /sipis/register HTTP/1.1\r\nHost: all.sipis.example.com\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n"
                    + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n") + "\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
            assertThat(status).as("status line").startsWith("HTTP/1.1 ");
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static int get(HttpClient client, int front, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
