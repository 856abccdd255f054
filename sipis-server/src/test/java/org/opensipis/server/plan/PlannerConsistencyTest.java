package org.opensipis.server.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsLoader;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.server.cli.SipisCommand;
import picocli.CommandLine;

/**
 * Any plan is consistent by construction: every Settings file passes {@code sipis check}, names
 * and ports are unique per machine, every selector has exactly one owner (the process LB2
 * routes it to), and the app's {@code s-X} DNS name for it points at that owner's machine.
 */
class PlannerConsistencyTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} host(s) x {1}")
    @CsvSource({"1,1", "1,2", "1,4", "1,8", "2,1", "2,2", "4,2", "8,2", "2,16", "32,1", "16,4", "8,16"})
    void everyLayoutIsConsistent(int hosts, int perHost) throws Exception {
        List<String> ips = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            ips.add("192.0.2." + (h + 1));
        }
        PlanRequest req = PlanRequest.of(hosts, perHost, "sipis.example.com", "host=db1,db2 dbname=sipis user=sipis password='s3 cret'")
                .withPrivateNet("10.7").withHostIps(ips).withEtcDir(dir.toString())
                .withLb2File(dir.resolve("LoadBalancer2/Settings.xml").toString());
        SortedMap<String, String> files = Planner.files(req);
        PlanFiles.write(dir, files);
        writeKey(dir.resolve("sipis.key"));
        Planner.Layout layout = Planner.layout(req);
        assertThat(layout.processes()).hasSize(hosts * perHost);

        Lb2Settings lb2 = Lb2Loader.load(dir.resolve("LoadBalancer2/Settings.xml")).settings();
        assertThat(lb2.backends()).hasSize(hosts * perHost);
        Map<String, Integer> hostOf = new HashMap<>();
        List<Shard> shards = new ArrayList<>();
        for (PlannedProcess p : layout.processes()) {
            SettingsLoader.Loaded loaded = SettingsLoader.load(dir.resolve(p.settingsFile()));
            assertThat(loaded.warnings()).as(p.settingsFile()).isEmpty();
            Settings s = loaded.settings();
            assertThat(s.server().name()).isEqualTo(p.name());
            assertThat(s.server().realm()).isEqualTo("Sipis");
            assertThat(s.server().filterInstances()).isTrue();
            assertThat(s.database().openString().orElseThrow().hosts()).containsExactly("db1", "db2");
            assertThat(s.chain()).hasSize(2);
            assertThat(s.server().privateAddress()).contains("10.7." + p.host() + "." + (p.index() % perHost + 1));
            assertThat(s.loadBalancer2File()).isEqualTo(dir.resolve("LoadBalancer2/Settings.xml"));
            assertThat(s.registration().port()).isEqualTo(p.registrationPort());
            // what operators run before starting: sipis check, clean (no warnings); on big layouts
            // the first and last machine (the same code writes every file) to keep the test fast
            boolean checkIt = hosts * perHost <= 16 || p.host() == 0 || p.host() == hosts - 1;
            if (checkIt) {
                check(dir.resolve(p.settingsFile()), p);
            }
            hostOf.put(p.name(), p.host());
            shards.add(lb2.shardOf(s.server().name(), s.server().filterInstances()));
        }
        // names, ports, lock and log files unique where they must be
        assertThat(layout.processes().stream().map(PlannedProcess::name).distinct().count()).isEqualTo(hosts * perHost);
        for (int h = 0; h < hosts; h++) {
            List<PlannedProcess> local = layout.onHost(h);
            assertThat(local.stream().map(PlannedProcess::sipPort).distinct().count()).isEqualTo(perHost);
            assertThat(local.stream().map(PlannedProcess::httpPort).distinct().count()).isEqualTo(perHost);
            // the fixed REGISTER ports (UDP) of one machine's processes differ from each other
            assertThat(local.stream().map(PlannedProcess::registrationPort).distinct().count()).isEqualTo(perHost);
            assertThat(local.stream().map(PlannedProcess::lockName).distinct().count()).isEqualTo(perHost);
        }
        Map<String, String> dns = dnsRecords(files.get("dns.zone"));
        Random random = new Random(20261130L + hosts * 1000L + perHost);
        for (int i = 0; i < 2_000; i++) {
            String selector = Fixtures.randomSelector(random);
            List<String> owners = Fixtures.owners(shards, selector, "com.example.app");
            assertThat(owners).as(selector).hasSize(1);
            Backend route = lb2.route(selector, "com.example.app").orElseThrow();
            assertThat(route.name()).contains(owners.get(0));
            if (layout.appPrefixLength() > 0) {
                String name = "s-" + selector.substring(0, layout.appPrefixLength()).toLowerCase() + ".sipis.example.com.";
                assertThat(dns.get(name)).as(name).isEqualTo(ips.get(hostOf.get(owners.get(0))));
                assertThat(route.address().host()).isEqualTo(dns.get(name));
            }
        }
    }

    @Test
    void ipv6MachinesGetBracketedBackendsAndAaaaRecords() throws Exception {
        PlanRequest req = PlanRequest.of(2, 1, "sipis.example.com", "host=db")
                .withHostIps(List.of("2001:db8::1", "2001:db8::2")).withEtcDir(dir.toString());
        SortedMap<String, String> files = Planner.files(req);
        PlanFiles.write(dir, files);
        Lb2Settings lb2 = Lb2Loader.load(dir.resolve("LoadBalancer2/Settings.xml")).settings();
        assertThat(lb2.backends()).extracting(b -> b.address().toString())
                .containsExactly("[2001:db8::1]:14998", "[2001:db8::2]:14998");
        assertThat(files.get("LoadBalancer2/Settings.xml")).contains("Address=\"[2001:db8::2]:14998\"");
        assertThat(files.get("dns.zone")).containsPattern("s-0\\.sipis\\.example\\.com\\.\\s+IN AAAA 2001:db8::1")
                .containsPattern("s-8\\.sipis\\.example\\.com\\.\\s+IN AAAA 2001:db8::2");
    }

    @Test
    void thirtyTwoProcessesUseTwoHexDigits() {
        Planner.Layout layout = Planner.layout(PlanRequest.of(16, 2, "sipis.example.com", "host=db"));
        assertThat(layout.appPrefixLength()).isEqualTo(2);
        assertThat(layout.processes().get(0).name()).isEqualTo("sipis00");
        assertThat(layout.processes().get(0).selectorPrefix()).isEqualTo("00/5");
        assertThat(layout.processes().get(1).selectorPrefix()).isEqualTo("08/5");
        assertThat(layout.processes().get(31).name()).isEqualTo("sipis1F");
        assertThat(layout.processes().get(31).selectorPrefix()).isEqualTo("F8/5");
        assertThat(layout.processes().get(31).settingsFile()).isEqualTo("Settingssipis1F.xml");
    }

    @Test
    void singleModePlansTheMoveBackToOneProcess() throws Exception {
        PlanRequest req = PlanRequest.of(1, 1, "sipis.example.com", "host=db").withRealm("SipisOne")
                .withSingle(true).withHostIps(List.of("192.0.2.9")).withEtcDir(dir.toString())
                .withLb2File(dir.resolve("LoadBalancer2/Settings.xml").toString());
        SortedMap<String, String> files = Planner.files(req);
        PlanFiles.write(dir, files);
        writeKey(dir.resolve("sipis.key"));
        check(dir.resolve("Settings.xml"), Planner.layout(req).processes().get(0));
        assertThat(files.keySet().stream().filter(f -> f.startsWith("Settings"))).containsExactly("Settings.xml");
        Settings s = SettingsLoader.load(dir.resolve("Settings.xml")).settings();
        assertThat(s.server().realm()).isEqualTo("SipisOne");
        assertThat(s.server().filterInstances()).isTrue();
        assertThat(s.server().port()).isEqualTo(14998);
        assertThat(s.lock().fileName()).isEqualTo(Path.of("/var/run/sipis/sipis.lock"));
        Lb2Settings lb2 = Lb2Loader.load(dir.resolve("LoadBalancer2/Settings.xml")).settings();
        assertThat(lb2.backends()).hasSize(1);
        assertThat(lb2.backends().get(0).selectorPrefix().isAll()).isTrue();
        assertThat(lb2.backends().get(0).address().toString()).isEqualTo("127.0.0.1:14998");
        Shard shard = lb2.shardOf(s.server().name(), true);
        assertThat(shard.owns("F00D:12345678", null)).isTrue();
        assertThat(files.get("app-parameters.txt")).contains("sipisHostPrefixLength=0\n", "sipisRegServer=sipis.example.com\n");
        assertThat(files.get("dns.zone")).contains("*.sipis.example.com.");
    }

    @Test
    void refusesWhatCannotSplitEvenly() {
        assertThatThrownBy(() -> Planner.files(PlanRequest.of(3, 2, "sipis.example.com", "host=db")))
                .hasMessageContaining("--hosts 3 × --per-host 2 = 6 processes")
                .hasMessageContaining("power of two")
                .hasMessageContaining("try 4 or 8 processes");
        assertThatThrownBy(() -> Planner.files(PlanRequest.of(1, 3, "sipis.example.com", "host=db")))
                .hasMessageContaining("= 3 processes");
    }

    @Test
    void badOptionsAreNamedAndTheDatabasePasswordIsNotEchoed() {
        assertThatThrownBy(() -> Planner.files(PlanRequest.of(2, 2, "not a domain", "host=db pasword=hunter2")
                .withHostIps(List.of("192.0.2.1")).withPrivateNet("11.x")))
                .hasMessageContaining("--domain \"not a domain\"")
                .hasMessageContaining("--db is not valid")
                .hasMessageContaining("did you mean password")
                .hasMessageContaining("--host-ips gives 1 address(es) for --hosts 2")
                .hasMessageContaining("--private-net \"11.x\" is not a private network")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Planner.files(PlanRequest.of(0, 70, "sipis.example.com", "host=db")))
                .hasMessageContaining("--hosts must be 1..256, was 0")
                .hasMessageContaining("--per-host must be 1..64, was 70");
    }

    @Test
    void privateNetForms() {
        assertThat(PrivateNet.address(PrivateNet.parse("10.x"), 3, 1, 2)).isEqualTo("10.0.3.2");
        assertThat(PrivateNet.address(PrivateNet.parse("10.5.0.0/16"), 0, 0, 2)).isEqualTo("10.5.0.1");
        assertThat(PrivateNet.address(PrivateNet.parse("192.168.7"), 2, 1, 4)).isEqualTo("192.168.7.10");
        assertThatThrownBy(() -> PrivateNet.parse("172.40")).hasMessageContaining("not a private network");
    }

    private static void check(Path file, PlannedProcess p) {
        StringWriter out = new StringWriter();
        CommandLine check = SipisCommand.commandLine();
        check.setOut(new PrintWriter(out, true));
        check.setErr(new PrintWriter(out, true));
        assertThat(check.execute("check", file.toString())).as(out.toString()).isZero();
        assertThat(out.toString()).as(p.settingsFile()).contains("OK: ").doesNotContain("WARNING")
                .contains("Shard:      " + p.name() + ": " + (p.selectorPrefix().isEmpty() ? "*" : p.selectorPrefix()));
    }

    static void writeKey(Path file) throws Exception {
        Files.write(file, SipisKey.generateRaw());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    static Map<String, String> dnsRecords(String zone) {
        Map<String, String> out = new HashMap<>();
        zone.lines().filter(l -> l.startsWith("s-")).forEach(l -> {
            String[] f = l.trim().split("\\s+");
            assertThat(out.put(f[0], f[3])).as("one record for " + f[0]).isNull();
        });
        return out;
    }
}
