package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock SIP UA as the app: Debian's baresip registers with the app leg (401, then 200 with
 * digest; the selector's colon is escaped as {@code %3A} in the AOR and plain in auth_user),
 * which puts the app in the foreground; at exit it unregisters, which hands back to SIPIS.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BaresipAppTest {

    static final Path BARESIP = Path.of("/usr/bin/baresip");
    static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";

    @TempDir
    Path dir;

    @Test
    void baresipRegistersAndUnregistersAsTheApp() throws Exception {
        assumeTrue(Files.isExecutable(BARESIP), "baresip is not installed (Debian package baresip-core)");
        try (AppLegHarness h = new AppLegHarness()) {
            h.directory.records.put(SEL, AppLegHarness.record(SEL, "app-secret-1"));
            writeConfig(h.server.port(), org.opensipis.sip.testing.Kamailio.freePortPair());
            Process p = new ProcessBuilder(BARESIP.toString(), "-f", dir.toString(), "-t", "6")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("baresip.log").toFile()).start();
            try {
                List<String> seen = new ArrayList<>();
                try {
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
                        h.owner.runReady();
                        seen.addAll(h.presence.drain());
                        return seen.contains("background " + SEL);
                    });
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("no unregistration from baresip; presence calls " + seen + "; baresip said:\n"
                            + Files.readString(dir.resolve("baresip.log")), e);
                }
                assertThat(seen).startsWith("foreground " + SEL, "progress " + SEL + " -");
                assertThat(h.server.stats().challenges()).isGreaterThanOrEqualTo(1);
                assertThat(h.server.stats().registered()).isGreaterThanOrEqualTo(1);
                assertThat(h.server.stats().unregistered()).isEqualTo(1);
                assertThat(h.server.stats().authFailures()).isZero();
                assertThat(h.server.bindingOf(SEL).orElseThrow().contact()).contains("@127.0.0.1:");
            } finally {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private void writeConfig(int sipisPort, int uaPort) throws IOException {
        Files.writeString(dir.resolve("config"), String.join("\n",
                "sip_listen\t127.0.0.1:" + uaPort,
                "module_path\t/usr/lib/baresip/modules",
                "module_app\taccount.so",
                ""));
        Files.writeString(dir.resolve("accounts"), "<sip:" + SEL.replace(":", "%3A") + "@sipis.test;transport=tcp>"
                + ";auth_user=" + SEL + ";auth_pass=app-secret-1"
                + ";outbound=\"sip:127.0.0.1:" + sipisPort + ";transport=tcp\";regint=600\n");
    }

}
