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

    @Test
    void rotateWithResealSealsStoredSecretsWithTheNewKey() throws Exception {
        Path key = dir.resolve("sipis.key");
        Cli.run("key", "create", key.toString());
        Path settings = org.opensipis.core.testing.Fixtures.write(dir.resolve("Settings.xml"),
                "<Sipis><Server Name=\"K\"/><Database EmbeddedDirectory=\"pgdata\"/></Sipis>");
        org.opensipis.core.settings.Settings s = org.opensipis.core.settings.SettingsLoader.load(settings).settings();
        SipisKey old = SipisKey.load(key);
        try (org.opensipis.store.Store store = org.opensipis.store.Store.open(s.database(), s.restart(), old, "K",
                java.time.Clock.systemUTC())) {
            store.saveRegistration(new org.opensipis.core.instance.InstanceRecord("ABC", "app", false,
                    new org.opensipis.core.instance.SipAccount("u", "u", org.opensipis.core.settings.Secret.of("pw"), "d",
                            java.util.Optional.empty(), 0, org.opensipis.core.instance.SipAccount.Transport.UDP, "",
                            java.util.Optional.empty()),
                    org.opensipis.core.settings.Secret.of("app"), java.util.List.of(), java.time.Instant.now(), false)).join();
        }
        Cli.Result r = Cli.run("key", "rotate", key.toString(), "--reseal", settings.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("Sealed 2 stored secret(s) again");
        // only the new key is needed now
        SipisKey fresh = SipisKey.of(java.nio.file.Files.readAllBytes(key));
        try (org.opensipis.store.Store store = org.opensipis.store.Store.open(s.database(), s.restart(), fresh, "K",
                java.time.Clock.systemUTC())) {
            assertThat(store.find("ABC").join().orElseThrow().account().password().reveal()).isEqualTo("pw");
        }
    }
}
