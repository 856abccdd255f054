package org.opensipis.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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

/** Runs real sipis processes: the lock keeps a second one out, naming the first one's pid. */
@Timeout(60)
class RunCommandTest {

    @TempDir
    Path dir;

    private Path settings() throws IOException {
        Files.write(dir.resolve("sipis.key"), new byte[16]);
        Fixtures.write(dir.resolve("lb2/Settings.xml"), "<LoadBalancer2><Backend><Sipis Name=\"T\" Address=\"127.0.0.1:1\"/></Backend></LoadBalancer2>");
        return Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"T\" Address=\"127.0.0.1\" Port=\"" + freePort() + "\" FilterInstancesAccordingToLoadBalancer2BackendSection=\"Yes\""
                + " Realm=\"T\"/><Lock FileName=\"run/t.lock\"/><Log FileName=\"log/t.log\"/>"
                + "<LoadBalancer2 FileName=\"lb2/Settings.xml\"/></Sipis>");
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process start(Path settings, Path output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "org.opensipis.server.Main", "run", settings.toString()))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    @Test
    void secondProcessOnTheSameSettingsExitsNamingTheHolder() throws Exception {
        Path s = settings();
        Process first = start(s, dir.resolve("first.out"));
        try {
            Path log = dir.resolve("log/t.log");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log)
                    && Files.readString(log, StandardCharsets.UTF_8).contains("sipis T running"));
            assertThat(Files.readString(dir.resolve("run/t.lock")).trim()).isEqualTo(String.valueOf(first.pid()));
            Process second = start(s, dir.resolve("second.out"));
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isEqualTo(ExitCodes.LOCKED);
            assertThat(Files.readString(dir.resolve("second.out"))).contains("is held by pid " + first.pid());
        } finally {
            first.destroy();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // SIGTERM shuts down in order: the log says so and the lock file is gone.
        assertThat(Files.readString(dir.resolve("log/t.log"))).contains("sipis T stopped");
        assertThat(dir.resolve("run/t.lock")).doesNotExist();
    }

    @Test
    void staleLockFileOfAKilledProcessDoesNotBlock() throws Exception {
        Path s = settings();
        Process killed = start(s, dir.resolve("killed.out"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("log/t.log"))
                && Files.readString(dir.resolve("log/t.log")).contains("running"));
        killed.destroyForcibly();
        killed.waitFor(30, TimeUnit.SECONDS);
        assertThat(dir.resolve("run/t.lock")).exists();
        Process next = start(s, dir.resolve("next.out"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(dir.resolve("run/t.lock")).trim()
                    .equals(String.valueOf(next.pid())));
        } finally {
            next.destroy();
            next.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sighupReReadsTheLogSettingsAndNamesWhatNeedsARestart() throws Exception {
        Path s = settings();
        Process p = start(s, dir.resolve("hup.out"));
        Path log = dir.resolve("log/t.log");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log)
                    && Files.readString(log, StandardCharsets.UTF_8).contains("sipis T running"));
            if (hangUpIgnoredHere()) {
                // started under nohup: the child inherits SIGHUP ignored, and says reload is off
                assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("SIGHUP is ignored by this process");
                return;
            }
            String text = Files.readString(s);
            Files.writeString(s, text.replace("<Log FileName=\"log/t.log\"/>", "<Log FileName=\"log/t.log\" Level=\"Debug\"/>")
                    .replace("Realm=\"T\"", "Realm=\"T2\""));
            Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log, StandardCharsets.UTF_8)
                    .contains("reload: Server changed in"));
            String after = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(after).contains("reload: log " + log + " at DEBUG");
            // a broken file is refused and the process keeps running
            Files.writeString(s, "<Sipis><Server/></Sipis>");
            new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log, StandardCharsets.UTF_8)
                    .contains("reload refused, nothing changed"));
            assertThat(p.isAlive()).isTrue();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // what the process said, so a timeout on a loaded machine can be told from a broken reload
            throw new AssertionError(e.getMessage() + "\n--- log ---\n" + Files.readString(log, StandardCharsets.UTF_8)
                    + "\n--- stdout ---\n" + Files.readString(dir.resolve("hup.out")), e);
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Whether this JVM (so every child it starts) has SIGHUP ignored: bit 0 of SigIgn in /proc/self/status. */
    private static boolean hangUpIgnoredHere() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L) != 0;
            }
        }
        return false;
    }

    @Test
    void invalidSettingsExitWithCodeThree() throws Exception {
        Path bad = Fixtures.write(dir.resolve("Bad.xml"), "<Sipis><Server/></Sipis>");
        Cli.Result r = Cli.run("run", bad.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err()).contains("Sipis/Server[Name]: attribute is missing");
    }
}
