package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.server.Configuration;
import org.opensipis.server.SipisServer;

/**
 * The seed's registration path: Debian's nginx spreads {@code /sipis/register} over two SIPIS
 * processes (upstream {@code anylocalsipis}) that share one PostgreSQL and split the selector
 * space in LB2 (0/1 and 8/1). Whichever process nginx picks stores the registration; the
 * process that owns the selector picks it up and registers it at the registrar, the other
 * never does.
 */
@Timeout(240)
class NginxTwoProcessesEndToEndTest {

    @TempDir
    Path dir;

    private static final String LOW = "1BCDEF0123456789ABCDEF0123456789ABCDEF01:00000001";
    private static final String HIGH = "9BCDEF0123456789ABCDEF0123456789ABCDEF01:00000002";

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
                // the test's registrar listens on loopback, which is refused unless opted in
                + "<registrartargets><allow network=\"127.0.0.0/8\"/></registrartargets></sipis>");
    }

    @Test
    void registrationPostedToNginxIsPickedUpByTheOwningProcess() throws Exception {
        Path nginxBinary = List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx")).stream()
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(nginxBinary != null, "nginx is not installed (.ci/install.d/30-nginx.sh installs it)");
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        SipisKey key = SipisKey.load(dir.resolve("sipis.key"));
        Fixtures.write(dir.resolve("lb2/Settings.xml"), "<loadbalancer2><backend>"
                + "<sipis name=\"Sipis1\" selectorprefix=\"0/1\" address=\"127.0.0.1:14998\"/>"
                + "<sipis name=\"Sipis2\" selectorprefix=\"8/1\" address=\"127.0.0.1:14988\"/></backend></loadbalancer2>");
        int http1 = freePort();
        int http2 = freePort();
        int front = freePort();
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        for (String d : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(prefix.resolve(d));
        }
        Path conf = Fixtures.write(prefix.resolve("nginx.conf"), "daemon off; master_process off; worker_processes 1;\n"
                + "pid " + prefix + "/nginx.pid; error_log " + prefix + "/error.log warn;\n"
                + "events { worker_connections 64; }\n"
                + "http { access_log off; client_body_temp_path " + prefix + "/client_body; proxy_temp_path " + prefix + "/proxy;\n"
                + " fastcgi_temp_path " + prefix + "/fastcgi; uwsgi_temp_path " + prefix + "/uwsgi; scgi_temp_path " + prefix + "/scgi;\n"
                + " upstream anylocalsipis { server 127.0.0.1:" + http1 + "; server 127.0.0.1:" + http2 + "; }\n"
                + " server { listen 127.0.0.1:" + front + "; location /sipis/register { proxy_pass http://anylocalsipis; } } }\n");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             UdpRegistrar registrar = new UdpRegistrar()) {
            Process nginx = new ProcessBuilder(nginxBinary.toString(), "-p", prefix.toString(), "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("nginx.out").toFile()).start();
            try (SipisServer one = new SipisServer(Configuration.load(settings("Sipis1", http1, pg.getPort())), key);
                 SipisServer two = new SipisServer(Configuration.load(settings("Sipis2", http2, pg.getPort())), key)) {
                one.start();
                two.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> accepts(front));
                HttpClient client = HttpClient.newHttpClient();
                for (String selector : List.of(LOW, HIGH, LOW, HIGH)) {
                    String body = "{\"selector\":\"" + selector + "\",\"appId\":\"com.example.app\",\"appSecret\":\"s\","
                            + "\"account\":{\"user\":\"u" + selector.charAt(0) + "\",\"password\":\"pw\",\"domain\":\"example.com\","
                            + "\"proxy\":\"127.0.0.1:" + registrar.port() + "\",\"expires\":300},"
                            + "\"tokens\":[{\"platform\":\"FCM\",\"kind\":\"INCOMING_CALL\",\"token\":\"t\"}]}";
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front + "/sipis/register"))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(r.body()).contains("\"name\":\"" + (LOW.equals(selector) ? "Sipis1" : "Sipis2") + "\"");
                }
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        one.directory().countByState().get(RegistrationState.REGISTERED) == 1
                                && two.directory().countByState().get(RegistrationState.REGISTERED) == 1);
                assertThat(one.directory().record(LOW)).isPresent();
                assertThat(one.directory().record(HIGH)).isEmpty();
                assertThat(two.directory().record(HIGH)).isPresent();
                assertThat(two.directory().record(LOW)).isEmpty();
                assertThat(registrar.registers).extracting(m -> UdpRegistrar.header(m, "To"))
                        .anyMatch(to -> to.contains("u1@example.com")).anyMatch(to -> to.contains("u9@example.com"));
            } finally {
                nginx.destroy();
                if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                    nginx.destroyForcibly();
                }
            }
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
