package org.opensipis.drills;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sipis lb2} in front of one process; the process is killed and restarted. An app's
 * REGISTER through LB2 gets the owner's 401 challenge while it is up, {@code 503} with
 * {@code Retry-After} while it is down, and the 401 again once it is back.
 */
@Timeout(600)
class Lb2BackendIT extends Drill {

    @Test
    void backendDownAndBack() throws Exception {
        rig(true);
        sipis.start();
        apps.registerAll(0, 20, "127.0.0.1:" + sipis.httpPort);
        Process lb2 = new ProcessBuilder(javaPath(), "-Xmx128m", "-jar", Sh.jar().toString(), "lb2", lb2File.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("lb2.out").toFile()).start();
        closeLast.add(lb2::destroyForcibly);
        String drill = "LB2 backend down";
        Awaitility.await("LB2 routes to the process").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsMatching(e -> e instanceof IOException).until(() -> register().startsWith("SIP/2.0 401"));
        sipis.kill9();
        long down = System.currentTimeMillis();
        String answer = register();
        String firstLine = answer.lines().findFirst().orElse("");
        boolean retryAfter = answer.lines().anyMatch(l -> l.regionMatches(true, 0, "Retry-After:", 0, 12));
        figure(drill, "app's REGISTER while the backend is down", firstLine + (retryAfter ? " + Retry-After" : ""),
                "503 + Retry-After", firstLine.startsWith("SIP/2.0 503") && retryAfter);
        sipis.start();
        long restarted = System.currentTimeMillis();
        Awaitility.await("LB2 routes to the restarted process").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptionsMatching(e -> e instanceof IOException)
                .until(() -> register().startsWith("SIP/2.0 401"));
        long recovered = System.currentTimeMillis() - restarted;
        figure(drill, "app's REGISTER answered by the owner again after its start (ms; down " + (restarted - down) + " ms)",
                recovered, "≤ 5000", recovered <= 5000);
        lb2.destroy();
        logFigures(drill, sipis, true);
    }

    private static String javaPath() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private String register() throws IOException {
        return AppRegister.send("127.0.0.1", lb2Port, 0);
    }
}
