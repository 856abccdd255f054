package org.opensipis.drills;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the drill scripts and other commands; finds the project's files and free loopback ports. */
final class Sh {

    private Sh() {
    }

    /** The project's root (the failsafe plugin passes it; by hand: the working directory's parent). */
    static Path root() {
        return Path.of(System.getProperty("drills.root", "..")).toAbsolutePath().normalize();
    }

    static Path script(String name) {
        return root().resolve("scripts/drills").resolve(name);
    }

    static Path jar() {
        return root().resolve("sipis-server/target/sipis.jar");
    }

    static String run(List<String> cmd) {
        return run(cmd, Map.of(), Duration.ofMinutes(2));
    }

    /** Runs a command to its end, failing with its output when it exits non-zero or takes too long. */
    static String run(List<String> cmd, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Path out = Files.createTempFile("drill-cmd", ".out");
            try {
                Process p = pb.redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeout);
                }
                String text = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    static String script(String name, Object... args) {
        List<String> cmd = new ArrayList<>(List.of(script(name).toString()));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        return run(cmd);
    }

    static boolean available(String path) {
        return Files.isExecutable(Path.of(path));
    }

    static void signal(long pid, String signal) {
        run(List.of("kill", "-s", signal, Long.toString(pid)));
    }

    /** A loopback port whose TCP and UDP sides are both free. */
    static int freePort() {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))) {
                    return u.getLocalPort();
                } catch (IOException e) {
                    // UDP side taken: try another
                }
            } catch (IOException e) {
                throw new IllegalStateException("no free loopback port: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no loopback port with both TCP and UDP free");
    }
}
