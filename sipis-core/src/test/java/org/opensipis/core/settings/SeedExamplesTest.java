package org.opensipis.core.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.core.testing.Fixtures;

/** The seed's two layouts load to the names, ports, files and shards the seed describes. */
class SeedExamplesTest {

    @TempDir
    Path dir;

    @Test
    void singleMachineFourProcesses() throws Exception {
        Fixtures.single(dir);
        Lb2Settings lb2 = Lb2Loader.load(dir.resolve("lb2/Settings.xml")).settings();
        String[] prefixes = {"0/2", "4/2", "8/2", "C/2"};
        for (int i = 1; i <= 4; i++) {
            SettingsLoader.Loaded loaded = SettingsLoader.load(dir.resolve("Settings" + i + ".xml"));
            assertThat(loaded.warnings()).isEmpty();
            Settings s = loaded.settings();
            assertThat(s.server().name()).isEqualTo("Sipis" + i);
            assertThat(s.server().port()).isEqualTo(14998 - 10 * (i - 1));
            assertThat(s.httpServer().port()).isEqualTo(5000 + 10 * (i - 1));
            assertThat(s.lock().fileName()).isEqualTo(Path.of("/var/run/sipis/sipis" + i + ".lock"));
            assertThat(s.log().fileName()).isEqualTo(Path.of("/var/log/sipis/sipis" + i + ".log"));
            assertThat(s.server().realm()).isEqualTo("SipisOne");
            assertThat(s.server().filterInstances()).isTrue();
            assertThat(s.loadBalancer2File()).isEqualTo(dir.resolve("lb2/Settings.xml"));
            Shard shard = lb2.shardOf(s.server().name(), s.server().filterInstances());
            assertThat(shard.ownEntries()).extracting(b -> b.selectorPrefix().toString()).containsExactly(prefixes[i - 1]);
        }
    }

    @Test
    void multiMachineSixteenProcessesWithDefaults() throws Exception {
        Fixtures.multi(dir);
        Lb2Settings lb2 = Lb2Loader.load(dir.resolve("lb2/Settings.xml")).settings();
        String hex = "0123456789ABCDEF";
        for (int n = 0; n < 16; n++) {
            String name = "sipis" + hex.charAt(n);
            SettingsLoader.Loaded loaded = SettingsLoader.load(dir.resolve("Settings" + name + ".xml"));
            assertThat(loaded.warnings()).isEmpty();
            Settings s = loaded.settings();
            assertThat(s.chain()).containsExactly(dir.resolve("Settings" + name + ".xml"), dir.resolve("Defaults.xml"));
            assertThat(s.server().name()).isEqualTo(name);
            assertThat(s.server().port()).isEqualTo(n % 2 == 0 ? 14998 : 14988);
            assertThat(s.httpServer().port()).isEqualTo(n % 2 == 0 ? 5000 : 5010);
            // inherited from Defaults.xml
            assertThat(s.server().realm()).isEqualTo("Sipis");
            assertThat(s.server().address()).isEqualTo("0.0.0.0");
            assertThat(s.httpServer().address()).isEqualTo("127.0.0.1");
            assertThat(s.httpServer().authenticationMethod()).isEqualTo(HttpServerSettings.AuthenticationMethod.NONE);
            assertThat(s.database().openString()).isPresent();
            assertThat(s.database().openString().get().get("dbname")).contains("DBNAME");
            assertThat(s.server().privateAddress()).contains("10.0." + (n / 2) + "." + (1 + n % 2));
            assertThat(s.lock().fileName()).isEqualTo(Path.of("/var/run/sipis/sipis" + name + ".lock"));
            assertThat(s.log().fileName()).isEqualTo(Path.of("/var/log/sipis/sipis" + name + ".log"));
            assertThat(s.log().level()).isEqualTo(LogSettings.Level.WARNING);
            Shard shard = lb2.shardOf(name, true);
            assertThat(shard.toString()).isEqualTo(name + ": " + hex.charAt(n) + "/4");
        }
    }

    @Test
    void everySelectorHasExactlyOneOwnerAndItIsLb2sRoute() throws Exception {
        Path single = dir.resolve("single");
        Path multi = dir.resolve("multi");
        Fixtures.single(single);
        Fixtures.multi(multi);
        checkOwnership(Lb2Loader.load(single.resolve("lb2/Settings.xml")).settings());
        checkOwnership(Lb2Loader.load(multi.resolve("lb2/Settings.xml")).settings());
    }

    private static void checkOwnership(Lb2Settings lb2) {
        List<Shard> shards = new ArrayList<>();
        for (String name : lb2.names()) {
            shards.add(lb2.shardOf(name, true));
        }
        Random random = new Random(20261130L);
        for (int i = 0; i < 20_000; i++) {
            String selector = Fixtures.randomSelector(random);
            List<String> owners = Fixtures.owners(shards, selector, "com.example.app");
            assertThat(owners).as(selector).hasSize(1);
            Backend route = lb2.route(selector, "com.example.app").orElseThrow();
            assertThat(route.name()).contains(owners.get(0));
            Shard owner = shards.stream().filter(s -> s.serverName().equals(owners.get(0))).findFirst().orElseThrow();
            assertThat(owner.ranges()).as("range of %s covers %s", owner, selector)
                    .anySatisfy(r -> assertThat(r.contains(selector)).isTrue());
        }
    }
}
