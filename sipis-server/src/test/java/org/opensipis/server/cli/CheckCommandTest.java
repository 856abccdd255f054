package org.opensipis.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.testing.Fixtures;

class CheckCommandTest {

    @TempDir
    Path dir;

    @BeforeEach
    void key() throws Exception {
        Files.write(dir.resolve("sipis.key"), new byte[16]);
    }

    @Test
    void checksEachProcessOfTheSingleMachineLayout() {
        Fixtures.single(dir);
        String[] prefixes = {"0/2", "4/2", "8/2", "C/2"};
        for (int i = 1; i <= 4; i++) {
            Cli.Result r = Cli.run("check", dir.resolve("Settings" + i + ".xml").toString());
            assertThat(r.code()).as(r.all()).isZero();
            assertThat(r.out())
                    .contains("Server:     Sipis" + i + ", realm SipisOne, app leg tcp 0.0.0.0:" + (14998 - 10 * (i - 1)))
                    .contains("HTTP:       0.0.0.0:" + (5000 + 10 * (i - 1)))
                    .contains("Lock:       /var/run/sipis/sipis" + i + ".lock")
                    .contains("Log:        /var/log/sipis/sipis" + i + ".log")
                    .contains("Shard:      Sipis" + i + ": " + prefixes[i - 1])
                    .contains("password=********")
                    .contains("password=\"********\"")
                    .doesNotContain("db secret")
                    .doesNotContain("change-me")
                    .contains("OK: ");
        }
    }

    @Test
    void checksEachProcessOfTheMultiMachineLayout() {
        Fixtures.multi(dir);
        String hex = "0123456789ABCDEF";
        for (int n = 0; n < 16; n++) {
            String name = "sipis" + hex.charAt(n);
            Cli.Result r = Cli.run("check", dir.resolve("Settings" + name + ".xml").toString());
            assertThat(r.code()).as(r.all()).isZero();
            assertThat(r.out()).contains("Shard:      " + name + ": " + hex.charAt(n) + "/4")
                    .contains("(Defaults: [" + dir.resolve("Defaults.xml") + "])")
                    .contains("Lock:       /var/run/sipis/sipis" + name + ".lock")
                    .contains("<server name=\"" + name + "\"");
        }
    }

    @Test
    void warnsWhenShutdownTimeoutOutlastsTheUnitsStopTimeout() throws Exception {
        Path f = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"S\"/>"
                + "<Registration><ShutdownTimeout Seconds=\"40\"/></Registration>"
                + "<LoadBalancer2 FileName=\"absent.xml\"/></Sipis>");
        Cli.Result r = Cli.run("check", f.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("Sipis/Registration/ShutdownTimeout: is 40 s", "TimeoutStopSec=55s");
    }

    @Test
    void warnsWhenTheNameIsNotInLb2() {
        Fixtures.single(dir);
        Path f = Fixtures.write(dir.resolve("Typo.xml"), "<sipis defaults=\"Settings1.xml\"><server name=\"Sipis5\"/></sipis>");
        Cli.Result r = Cli.run("check", f.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Shard:      Sipis5: no selectors (registration server only)")
                .contains("\"Sipis5\" is not the Name of any Backend/Sipis entry")
                .contains("Names there: Sipis1, Sipis2, Sipis3, Sipis4.");
    }

    @Test
    void failsWithEveryProblemAndNoStackTrace() {
        Path f = Fixtures.write(dir.resolve("Bad.xml"), "<Sipis>\n<Server Name=\"S\" Port=\"x\"/>\n<HttpServer Port=\"0\"/>\n</Sipis>");
        Cli.Result r = Cli.run("check", f.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err()).contains("Bad.xml: 2 errors").contains("Bad.xml:2: error: Sipis/Server[Port]")
                .contains("Bad.xml:3: error: Sipis/HttpServer[Port]").contains("FAILED").doesNotContain("Exception");
    }

    @Test
    void failsWithoutTheKeyAndWhenLb2IsMissing() throws Exception {
        Fixtures.single(dir);
        Files.delete(dir.resolve("sipis.key"));
        Cli.Result r = Cli.run("check", dir.resolve("Settings1.xml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err()).contains("sipis.key: does not exist; create it once with 'sipis key create");
        Files.write(dir.resolve("sipis.key"), new byte[16]);
        Files.delete(dir.resolve("lb2/Settings.xml"));
        r = Cli.run("check", dir.resolve("Settings1.xml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err()).contains("FilterInstancesAccordingToLoadBalancer2BackendSection]: is Yes, but the LoadBalancer2 settings file");
    }

    @Test
    void helpAndVersion() {
        assertThat(Cli.run("--version").out()).startsWith("sipis ");
        Cli.Result help = Cli.run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("run", "check", "key", "Exit codes:");
        assertThat(Cli.run("frobnicate").code()).isEqualTo(ExitCodes.USAGE);
    }
}
