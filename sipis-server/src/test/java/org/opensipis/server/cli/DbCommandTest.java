package org.opensipis.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.testing.Fixtures;

/** {@code sipis db init}: what it needs from the settings; the SQL itself runs in sipis-store's and the packaging tests. */
class DbCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsTheScriptForTheOpenStringsRoleAndDatabase() {
        Path s = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"S\"/>"
                + "<Database OpenString=\"host=127.0.0.1 dbname=sipisdb user=sipisrole password=pw1\"/></Sipis>");
        Cli.Result r = Cli.run("db", "init", "--print-sql", s.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("CREATE ROLE \"sipisrole\" LOGIN PASSWORD 'pw1'", "CREATE DATABASE \"sipisdb\" OWNER \"sipisrole\"");
    }

    @Test
    void theEmbeddedDatabaseNeedsNothing() {
        Path s = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"S\"/></Sipis>");
        Cli.Result r = Cli.run("db", "init", s.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("Database[OpenString] is not set", "nothing to do");
    }

    @Test
    void aRemoteHostNeedsASuperuserOpenStringAndAMissingPasswordIsASettingsError() {
        Path s = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"S\"/>"
                + "<Database OpenString=\"host=db1.example.com dbname=sipis user=sipis password=pw\"/></Sipis>");
        Cli.Result r = Cli.run("db", "init", s.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).contains("names host db1.example.com", "--superuser").doesNotContain("pw");
        Path nopw = Fixtures.write(dir.resolve("NoPw.xml"), "<Sipis><Server Name=\"S\"/>"
                + "<Database OpenString=\"host=127.0.0.1 dbname=sipis user=sipis\"/></Sipis>");
        Cli.Result n = Cli.run("db", "init", nopw.toString());
        assertThat(n.code()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(n.err()).contains("give a password= for user sipis");
    }
}
