package org.opensipis.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.testing.Fixtures;

/** {@code sipis ctl reload}: finds the process by its lock file, and says why when there is none. */
class CtlReloadTest {

    @TempDir
    Path dir;

    private Path settings() throws Exception {
        return Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"R\"/><Lock FileName=\"r.lock\"/></Sipis>");
    }

    @Test
    void withoutALockFileNoProcessRuns() throws Exception {
        Cli.Result r = Cli.run("ctl", "-s", settings().toString(), "reload");
        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).contains("sipis ctl reload: no process runs with").contains("r.lock").contains("does not exist");
    }

    @Test
    void aLockFileOfADeadProcessIsNotSignalled() throws Exception {
        Path s = settings();
        Files.writeString(dir.resolve("r.lock"), "999999999\n");
        Cli.Result r = Cli.run("ctl", "-s", s.toString(), "reload");
        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).contains("names no live process");
    }

    @Test
    void readsThePidTheLockFileHolds() {
        assertThat(CtlReload.pid("4242\n")).contains(4242L);
        assertThat(CtlReload.pid("garbage")).isEmpty();
        assertThat(CtlReload.pid("1")).isEmpty();
    }
}
