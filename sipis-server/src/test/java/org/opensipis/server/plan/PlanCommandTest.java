package org.opensipis.server.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sipis plan} on the command line: writes, refuses to overwrite, names bad options. */
class PlanCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new PlanCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void writesThePlanAndRefusesToOverwriteWithoutForce() throws Exception {
        Path target = dir.resolve("plan");
        String[] args = {"--hosts", "8", "--per-host", "2", "--domain", "sipis.example.com",
            "--db", "host=db1,db2 dbname=sipis user=sipis password=secret", "--private-net", "10.x",
            "--out", target.toString()};
        assertThat(run(args)).isEqualTo(0);
        assertThat(target.resolve("Settingssipis0.xml")).exists();
        assertThat(target.resolve("SettingssipisF.xml")).exists();
        assertThat(target.resolve("LoadBalancer2/Settings.xml")).exists();
        assertThat(target.resolve("nginx/host7.conf")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("Defaults.xml"))))
                .isEqualTo("rw-------");
        assertThat(out.toString()).contains("8 machine(s) x 2 SIPIS process(es) = 16 processes")
                .contains("16 process(es) x (PoolSize 8 + 1 LISTEN) = 144 connections, more than PostgreSQL's default"
                        + " max_connections = 100 allows")
                .contains("Set max_connections = 200")
                .contains("systemctl restart sipis-lb2")
                .doesNotContain("secret");
        assertThat(err.toString()).contains("WARNING: 16 processes need 144 PostgreSQL connections");

        Files.writeString(target.resolve("dns.zone"), "mine");
        assertThat(run(args)).isEqualTo(1);
        assertThat(err.toString()).contains("refusing to overwrite").contains("dns.zone").contains("--force");
        assertThat(Files.readString(target.resolve("dns.zone"))).isEqualTo("mine");

        String[] forced = java.util.Arrays.copyOf(args, args.length + 1);
        forced[args.length] = "--force";
        assertThat(run(forced)).isEqualTo(0);
        assertThat(Files.readString(target.resolve("dns.zone"))).startsWith("; DNS records");
    }

    @Test
    void oneMachineBindsToLoopbackAndHonoursTheLb2FileAndTheDirectories() throws Exception {
        Path target = dir.resolve("one");
        assertThat(run("--hosts", "1", "--per-host", "2", "--domain", "sipis.example.com", "--db", "host=127.0.0.1 user=sipis",
                "--lb2-file", "/srv/lb2/Settings.xml", "--lock-dir", "/run/sipis/locks", "--log-dir", "/srv/log/sipis",
                "--out", target.toString())).isEqualTo(0);
        String defaults = Files.readString(target.resolve("Defaults.xml"));
        assertThat(defaults).contains("<Server Address=\"127.0.0.1\"", "<HttpServer Address=\"127.0.0.1\"/>",
                "<Administrator UserName=\"admin\" Password=\"", "<LoadBalancer2 FileName=\"/srv/lb2/Settings.xml\"/>");
        assertThat(Files.readString(target.resolve("Settings2.xml"))).contains("<Lock FileName=\"/run/sipis/locks/sipis2.lock\"/>",
                "<Log FileName=\"/srv/log/sipis/sipis2.log\"/>");
        String plan = Files.readString(target.resolve("PLAN.txt"));
        assertThat(plan).contains("Copy LoadBalancer2/Settings.xml to /srv/lb2/Settings.xml",
                "2 process(es) x (PoolSize 8 + 1 LISTEN) = 18 connections (PostgreSQL's default max_connections = 100 is enough)",
                "ReadWritePaths", "sipis db init").doesNotContain("restart LoadBalancer2 ");
        assertThat(err.toString()).doesNotContain("WARNING");
    }

    @Test
    void aNonPowerOfTwoIsAUsageError() {
        assertThat(run("--hosts", "3", "--per-host", "1", "--domain", "sipis.example.com", "--db", "host=db",
                "--out", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("= 3 processes").contains("power of two");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void singleNeedsOnlyDomainAndDatabase() {
        assertThat(run("--single", "--realm", "SipisOne", "--domain", "sipis.example.com", "--db", "host=db",
                "--out", dir.toString())).isEqualTo(0);
        assertThat(dir.resolve("Settings.xml")).exists();
        assertThat(out.toString()).contains("back to a single SIPIS process");
    }
}
