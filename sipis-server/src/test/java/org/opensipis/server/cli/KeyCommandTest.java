package org.opensipis.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;

class KeyCommandTest {

    @TempDir
    Path dir;

    @Test
    void createWritesSixteenPrivateBytesAndNeverOverwrites() throws Exception {
        Path key = dir.resolve("etc/sipis.key");
        Cli.Result r = Cli.run("key", "create", key.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(Files.size(key)).isEqualTo(16);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        byte[] before = Files.readAllBytes(key);
        Cli.Result again = Cli.run("key", "create", key.toString());
        assertThat(again.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).contains("already exists; not overwriting it");
        assertThat(Files.readAllBytes(key)).isEqualTo(before);
    }

    @Test
    void rotateKeepsOldEnvelopesReadable() throws Exception {
        Path key = dir.resolve("sipis.key");
        Cli.run("key", "create", key.toString());
        String sealed = SipisKey.load(key).seal("pw", "ctx");
        Cli.Result r = Cli.run("key", "rotate", key.toString());
        assertThat(r.code()).as(r.all()).isZero();
        SipisKey ring = SipisKey.load(key);
        assertThat(ring.isStale(sealed)).isTrue();
        assertThat(ring.openString(sealed, "ctx")).isEqualTo("pw");
        assertThat(r.out()).contains("Rotated").contains(".retired-");
    }
}
