package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsLoader;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.Shard;

/** The shipped sample settings load cleanly, in the seed's style, and agree with each other. */
class SampleSettingsTest {

    static final Path SIPIS_SRC = Path.of("src/deb/etc/sipis/Settings.xml");
    static final Path DATABASE_EXAMPLE = Path.of("src/deb/examples/Database.xml");
    static final Path LB2 = Path.of("src/deb/etc/acrobits/LoadBalancer2/Settings.xml");

    @TempDir
    Path etc;

    Path sipis;

    /** /etc/sipis as postinst leaves it: Settings.xml and Database.xml made from the example. */
    @BeforeEach
    void installed() throws Exception {
        sipis = Files.copy(SIPIS_SRC, etc.resolve("Settings.xml"));
        Files.writeString(etc.resolve("Database.xml"), Files.readString(DATABASE_EXAMPLE).replace("@PASSWORD@", "0123abcd"));
    }

    @Test
    void sipisSampleLoadsWithRealmPinnedAndFilteringOn() throws Exception {
        SettingsLoader.Loaded loaded = SettingsLoader.load(sipis);
        assertThat(loaded.warnings()).isEmpty();
        Settings s = loaded.settings();
        assertThat(s.server().name()).isEqualTo("Sipis");
        assertThat(s.server().realm()).isEqualTo("Sipis");
        assertThat(s.server().filterInstances()).isTrue();
        assertThat(s.server().port()).isEqualTo(14998);
        assertThat(s.httpServer().port()).isEqualTo(5000);
        assertThat(s.lock().fileName()).isEqualTo(Path.of("/var/run/sipis/sipis.lock"));
        assertThat(s.log().fileName()).isEqualTo(Path.of("/var/log/sipis/sipis.log"));
        // Debian's local PostgreSQL, from Database.xml; LB2 and nginx reach the process on loopback
        assertThat(s.database().openString().orElseThrow().values()).containsEntry("host", "127.0.0.1")
                .containsEntry("dbname", "sipis").containsEntry("user", "sipis").containsEntry("password", "0123abcd");
        assertThat(s.server().address()).isEqualTo("127.0.0.1");
        assertThat(s.httpServer().address()).isEqualTo("127.0.0.1");
        assertThat(s.loadBalancer2File()).isEqualTo(Path.of("/etc/acrobits/LoadBalancer2/Settings.xml"));
        // sealed-only: plain registrations would let anyone who reaches the port choose registrars
        assertThat(s.dataProtection().acceptPlainRegistrations()).isFalse();
    }

    @Test
    void lb2SampleRoutesEverythingToTheSampleProcess() throws Exception {
        Lb2Loader.Loaded loaded = Lb2Loader.load(LB2);
        assertThat(loaded.warnings()).isEmpty();
        Lb2Settings lb2 = loaded.settings();
        assertThat(lb2.backends()).hasSize(1);
        assertThat(lb2.backends().get(0).address()).isEqualTo(Lb2Settings.DEFAULT_ROUTE);
        Settings s = SettingsLoader.load(sipis).settings();
        Shard shard = lb2.shardOf(s.server().name(), s.server().filterInstances());
        assertThat(shard.owns("0123456789ABCDEF0123456789ABCDEF01234567:89ABCDEF", "com.example")).isTrue();
        assertThat(shard.owns("FEDCBA9876543210FEDCBA9876543210FEDCBA98:76543210", null)).isTrue();
    }
}
