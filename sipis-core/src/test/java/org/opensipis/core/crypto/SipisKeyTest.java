package org.opensipis.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SipisKeyTest {

    @TempDir
    Path dir;

    @Test
    void sealsAndOpensWithContext() throws Exception {
        SipisKey key = SipisKey.of(SipisKey.generateRaw());
        String sealed = key.seal("s3cret pässword", "sip-password:ABC");
        assertThat(sealed).startsWith("v1." + key.id() + ".").doesNotContain("s3cret");
        assertThat(key.seal("s3cret pässword", "sip-password:ABC")).isNotEqualTo(sealed);
        assertThat(key.openString(sealed, "sip-password:ABC")).isEqualTo("s3cret pässword");
        assertThatThrownBy(() -> key.openString(sealed, "sip-password:DEF")).isInstanceOf(SealedDataException.class)
                .hasMessageContaining("does not authenticate");
        char[] c = sealed.toCharArray();
        c[c.length - 3] = c[c.length - 3] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> key.openString(new String(c), "sip-password:ABC")).isInstanceOf(SealedDataException.class);
        assertThatThrownBy(() -> key.openString("plain", "x")).hasMessageContaining("not a sealed value");
    }

    @Test
    void thirtyTwoByteKeysWork() throws Exception {
        SipisKey key = SipisKey.of(new byte[32]);
        assertThat(key.openString(key.seal("x", "c"), "c")).isEqualTo("x");
    }

    @Test
    void loadsKeyFileAndRetiredKeys() throws Exception {
        byte[] old = SipisKey.generateRaw();
        byte[] cur = SipisKey.generateRaw();
        Files.write(dir.resolve("sipis.key"), old);
        String sealedOld = SipisKey.load(dir.resolve("sipis.key")).seal("pw", "c");
        Files.move(dir.resolve("sipis.key"), dir.resolve("sipis.key.retired-1"));
        Files.write(dir.resolve("sipis.key"), cur);
        SipisKey ring = SipisKey.load(dir.resolve("sipis.key"));
        assertThat(ring.openString(sealedOld, "c")).isEqualTo("pw");
        assertThat(ring.isStale(sealedOld)).isTrue();
        assertThat(ring.isStale(ring.seal("pw", "c"))).isFalse();
        SipisKey other = SipisKey.of(cur, List.of());
        assertThatThrownBy(() -> other.openString(sealedOld, "c")).hasMessageContaining("not this installation's sipis.key");
    }

    @Test
    void refusesWrongSizeAndMissingFile() throws Exception {
        Files.write(dir.resolve("bad.key"), new byte[15]);
        assertThatThrownBy(() -> SipisKey.load(dir.resolve("bad.key"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("bad.key: is 15 bytes");
        assertThatThrownBy(() -> SipisKey.load(dir.resolve("none.key"))).hasMessageContaining("does not exist");
    }
}
