package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the .deb on this machine with {@code dpkg -i}, then runs {@code sipis check} on the
 * shipped settings, and purges it again. Changes the machine, so it runs only in CI
 * ({@code CI=true}) as root; elsewhere it is skipped.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebInstallIT {

    static final Path KEY = Path.of("/etc/sipis/sipis.key");

    @BeforeAll
    static void onlyInCiAsRoot() throws Exception {
        assumeTrue("true".equals(System.getenv("CI")), "installs a package: runs only in CI (CI=true)");
        assumeTrue("root".equals(System.getProperty("user.name")), "dpkg -i needs root");
        assumeTrue(Cmd.has("dpkg"), "dpkg is not installed");
        Cmd.Result r = Cmd.run(List.of("dpkg", "-i", Cmd.deb().toString()));
        assertThat(r.code()).as("dpkg -i:\n%s", r.all()).isZero();
    }

    @AfterAll
    static void purge() throws Exception {
        if ("true".equals(System.getenv("CI")) && "root".equals(System.getProperty("user.name")) && Cmd.has("dpkg")) {
            Cmd.run(List.of("dpkg", "--purge", "sipis"));
        }
    }

    @Test
    @Order(1)
    void createsTheUserTheDirectoriesAndTheKeyOnce() throws Exception {
        assertThat(Cmd.run(List.of("getent", "passwd", "sipis")).code()).isZero();
        PosixFileAttributes key = Files.readAttributes(KEY, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(key.size()).isEqualTo(16);
        assertThat(key.owner().getName()).isEqualTo("root");
        assertThat(key.group().getName()).isEqualTo("sipis");
        assertThat(PosixFilePermissions.toString(key.permissions())).isEqualTo("rw-r-----");
        for (String d : List.of("/var/log/sipis", "/var/lib/sipis")) {
            assertThat(Files.getOwner(Path.of(d)).getName()).as(d).isEqualTo("sipis");
        }
        assertThat(Files.isExecutable(Path.of("/usr/bin/sipis"))).isTrue();

        byte[] before = Files.readAllBytes(KEY);
        Cmd.Result again = Cmd.run(List.of("dpkg", "-i", Cmd.deb().toString()));
        assertThat(again.code()).as("reinstall:\n%s", again.all()).isZero();
        assertThat(Files.readAllBytes(KEY)).as("the key survives an upgrade").isEqualTo(before);

        Cmd.Result units = Cmd.run(List.of("/usr/lib/sipis/sipis-units", "list"));
        assertThat(units.out().lines()).containsExactly("sipis@Settings.service");
    }

    @Test
    @Order(2)
    void installedUnitsVerifyAndTheGeneratorWantsTheShippedSettings(@TempDir Path out) throws Exception {
        Cmd.Result g = Cmd.run(List.of("/lib/systemd/system-generators/sipis-generator", out.toString()));
        assertThat(g.code()).as(g.all()).isZero();
        assertThat(Files.readSymbolicLink(out.resolve("sipis.service.wants/sipis@Settings.service")))
                .isEqualTo(Path.of("/lib/systemd/system/sipis@.service"));
        assumeTrue(Cmd.has("systemd-analyze"), "systemd-analyze is not installed");
        // installed, ExecStart=/usr/bin/sipis exists: verify the real units by name
        Cmd.Result v = Cmd.run(List.of("systemd-analyze", "verify", "--man=no", "sipis.service", "sipis@Settings.service"));
        assertThat(v.code()).as(v.all()).isZero();
        assertThat(v.err().lines().filter(l -> l.contains("sipis"))).as(v.all()).isEmpty();
    }

    @Test
    @Order(3)
    void sipisCheckAcceptsTheShippedSettings() throws Exception {
        Cmd.Result r = Cmd.run(List.of("/usr/bin/sipis", "check", "/etc/sipis/Settings.xml"));
        assertThat(r.code()).as("sipis check /etc/sipis/Settings.xml:\n%s", r.all()).isZero();
    }
}
