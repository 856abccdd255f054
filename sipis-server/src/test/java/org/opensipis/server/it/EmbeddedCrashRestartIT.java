package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.testing.Fixtures;

/**
 * {@code kill -9} of {@code sipis run} on the embedded default leaves its PostgreSQL running
 * as an orphan on the data directory; the next start finds it by {@code postmaster.pid}, stops
 * it and comes up (HTTP answers) instead of failing after 30 s.
 */
@Timeout(240)
class EmbeddedCrashRestartIT {

    @TempDir
    Path dir;

    @Test
    void aKilledProcessOnTheEmbeddedDefaultStartsAgain() throws Exception {
        int http = freePort();
        Files.write(dir.resolve("sipis.key"), new byte[16]);
        Fixtures.write(dir.resolve("lb2/Settings.xml"),
                "<LoadBalancer2><Backend><Sipis Name=\"K\" Address=\"127.0.0.1:1\"/></Backend></LoadBalancer2>");
        Path settings = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"K\" Address=\"127.0.0.1\" Port=\""
                + freePort() + "\" FilterInstancesAccordingToLoadBalancer2BackendSection=\"Yes\" Realm=\"K\"/>"
                + "<HttpServer Address=\"127.0.0.1\" Port=\"" + http + "\" AuthenticationMethod=\"None\"/>"
                + "<Lock FileName=\"run/k.lock\"/><Log FileName=\"log/k.log\"/>"
                + "<LoadBalancer2 FileName=\"lb2/Settings.xml\"/></Sipis>");
        Process first = start(settings, dir.resolve("first.out"));
        try {
            awaitUp(http, Duration.ofSeconds(90), dir.resolve("first.out"));
        } finally {
            first.destroyForcibly();   // SIGKILL: the store is not closed, PostgreSQL stays
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Path pidFile = dir.resolve("pgdata/postmaster.pid");
        assertThat(pidFile).exists();
        long orphan = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

        Process next = start(settings, dir.resolve("next.out"));
        try {
            // well under the 30 s after which a start used to give up waiting for the database
            awaitUp(http, Duration.ofSeconds(60), dir.resolve("next.out"));
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(Files.readString(dir.resolve("log/k.log"), StandardCharsets.UTF_8))
                    .contains("Stopped the embedded PostgreSQL left by a previous process (pid " + orphan + ")");
        } finally {
            next.destroy();
            assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(pidFile).doesNotExist();   // a clean stop stops PostgreSQL too
    }

    private static void awaitUp(int port, Duration within, Path output) throws IOException {
        try {
            await().atMost(within).until(() -> answers(port));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("HTTP on port " + port + " did not answer within " + within + "; output:\n"
                    + Files.readString(output, StandardCharsets.UTF_8), e);
        }
    }

    private static boolean answers(int port) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/about")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Process start(Path settings, Path output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the built jar (its manifest names target/lib), as an operator runs it
        Path jar = Path.of("target", "sipis.jar").toAbsolutePath();
        return new ProcessBuilder(List.of(java, "-jar", jar.toString(), "run", settings.toString()))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
