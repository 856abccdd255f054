package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.server.Configuration;
import org.opensipis.server.SipisServer;

/**
 * The whole process on an embedded PostgreSQL: an app registration posted over HTTP is stored,
 * reaches the registration engine through LISTEN/NOTIFY, and is registered at a registrar on
 * loopback; after a restart the instance comes back from the database and continues with the
 * same Call-ID and a higher CSeq.
 */
@Timeout(180)
class SipisServerEndToEndTest {

    @TempDir
    Path dir;

    private static final String SELECTOR = "0BCDEF0123456789ABCDEF0123456789ABCDEF01:12345678";

    private Path settings() throws Exception {
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        Fixtures.write(dir.resolve("lb2/Settings.xml"),
                "<LoadBalancer2><Backend><Sipis Name=\"It\" SelectorPrefix=\"0/1\" Address=\"127.0.0.1:14998\"/>"
                        + "<Sipis Name=\"Other\" SelectorPrefix=\"\" Address=\"127.0.0.1:14988\"/></Backend></LoadBalancer2>");
        return Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"It\" Realm=\"It\" Address=\"127.0.0.1\" Port=\"" + freePort() + "\""
                + " FilterInstancesAccordingToLoadBalancer2BackendSection=\"Yes\"/>"
                + "<HttpServer Address=\"127.0.0.1\" Port=\"" + freePort() + "\" AuthenticationMethod=\"None\"/>"
                + "<Database EmbeddedDirectory=\"pgdata\"/><Lock FileName=\"sipis.lock\"/><Log FileName=\"sipis.log\"/>"
                + "<LoadBalancer2 FileName=\"lb2/Settings.xml\"/>"
                // the test's registrar listens on loopback, which is refused unless opted in
                + "<RegistrarTargets><Allow Network=\"127.0.0.0/8\"/></RegistrarTargets></Sipis>");
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void registrationPostedOverHttpIsRegisteredAndSurvivesARestart() throws Exception {
        Path file = settings();
        SipisKey key = SipisKey.load(dir.resolve("sipis.key"));
        try (UdpRegistrar registrar = new UdpRegistrar()) {
            String callId;
            long cseq;
            try (SipisServer server = new SipisServer(Configuration.load(file), key)) {
                server.start();
                String body = "{\"selector\":\"" + SELECTOR + "\",\"appId\":\"com.example.app\",\"appSecret\":\"s\","
                        + "\"account\":{\"user\":\"alice\",\"password\":\"pw\",\"domain\":\"example.com\",\"proxy\":\"127.0.0.1:"
                        + registrar.port() + "\",\"transport\":\"UDP\",\"expires\":300},"
                        + "\"tokens\":[{\"platform\":\"APNS\",\"kind\":\"INCOMING_CALL\",\"token\":\"t1\"}]}";
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/sipis/register"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("\"ownedByThisServer\":true");
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        server.directory().countByState().get(RegistrationState.REGISTERED) == 1);
                String first = registrar.registers.get(0);
                assertThat(UdpRegistrar.header(first, "To")).contains("alice@example.com");
                assertThat(first).doesNotContain("pw");
                callId = UdpRegistrar.header(first, "Call-ID");
                cseq = Long.parseLong(UdpRegistrar.header(registrar.registers.get(registrar.registers.size() - 1), "CSeq")
                        .split(" ")[0]);
                HttpResponse<String> summary = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/stats/summary/json")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(summary.body()).contains("\"Registered\":1");
            }
            int before = registrar.registers.size();
            try (SipisServer again = new SipisServer(Configuration.load(file), key)) {
                again.start();
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        again.directory().countByState().get(RegistrationState.REGISTERED) == 1);
                // the binding (300 s, same Contact: Registration[Port] is fixed) is still valid: it is taken
                // over without a REGISTER and refreshed on its schedule with the same Call-ID and a higher
                // CSeq (RestartAndOutageTest follows that refresh)
                assertThat(registrar.registers.size()).isEqualTo(before);
                assertThat(callId).isNotEmpty();
                assertThat(cseq).isPositive();
            }
        }
    }
}
