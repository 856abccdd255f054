package org.opensipis.server.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsLoader;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.testing.Fixtures;

/** For the seed's two examples, the plan equals what the seed writes. */
class PlannerSeedTest {

    static final String DB = "host=DBIP port=5432 dbname=DBNAME user=DBUSER password=DBPASSWORD";

    /** The seed's multi-machine nginx site, verbatim. */
    static final String SEED_NGINX = String.join("\n",
            "upstream anylocalsipis {",
            "    server 127.0.0.1:5000;",
            "    server 127.0.0.1:5010;",
            "}",
            "server {",
            "    listen 443 ssl;",
            "    listen [::]:443 ssl;",
            "    ssl_certificate_key /path/to/key.pem;",
            "    ssl_certificate /path/to/cert/chain.pem.pem;",
            "",
            "    location /sipis/register {",
            "        proxy_pass http://anylocalsipis;",
            "    }",
            "",
            "",
            "    location /sipis5000/ {",
            "        proxy_pass http://127.0.0.1:5000/;",
            "    }",
            "",
            "    location /sipis5010/ {",
            "        proxy_pass http://127.0.0.1:5010/;",
            "    }",
            "}");

    /** The seed's single-machine LB2 Backend, verbatim. */
    static final String SEED_SINGLE_BACKEND = "<loadbalancer2>\n\n  <backend>\n\n"
            + "    <sipis name=\"Sipis1\" selectorprefix=\"0/2\" address=\"127.0.0.1:14998\"></sipis>\n\n"
            + "    <sipis name=\"Sipis2\" selectorprefix=\"4/2\" address=\"127.0.0.1:14988\"></sipis>\n\n"
            + "    <sipis name=\"Sipis3\" selectorprefix=\"8/2\" address=\"127.0.0.1:14978\"></sipis>\n\n"
            + "    <sipis name=\"Sipis4\" selectorprefix=\"C/2\" address=\"127.0.0.1:14968\"></sipis>\n\n"
            + "  </backend>\n\n</loadbalancer2>\n";

    @TempDir
    Path dir;

    @Test
    void oneMachineFourProcessesIsTheSeedsTableAndBackend() throws Exception {
        SortedMap<String, String> files = Planner.files(PlanRequest.of(1, 4, "sipis.example.com", DB)
                .withRealm("SipisOne").withEtcDir(dir.toString()));
        assertThat(files.keySet()).contains("Defaults.xml", "Settings1.xml", "Settings2.xml", "Settings3.xml",
                "Settings4.xml", "LoadBalancer2/Settings.xml", "nginx/host0.conf", "dns.zone", "app-parameters.txt");
        PlanFiles.write(dir, files);
        Path seed = Fixtures.single(dir.resolve("seed"));
        for (int i = 1; i <= 4; i++) {
            Settings mine = SettingsLoader.load(dir.resolve("Settings" + i + ".xml")).settings();
            Settings theirs = SettingsLoader.load(seed.resolve("Settings" + i + ".xml")).settings();
            // the seed's table: Server[Name], Server[Port], HttpServer[Port], Lock[FileName], Log[FileName]
            assertThat(mine.server().name()).isEqualTo(theirs.server().name()).isEqualTo("Sipis" + i);
            assertThat(mine.server().port()).isEqualTo(theirs.server().port());
            assertThat(mine.httpServer().port()).isEqualTo(theirs.httpServer().port());
            assertThat(mine.lock()).isEqualTo(theirs.lock());
            assertThat(mine.log().fileName()).isEqualTo(theirs.log().fileName());
            // step 1: realm pinned and filtering on
            assertThat(mine.server().realm()).isEqualTo(theirs.server().realm()).isEqualTo("SipisOne");
            assertThat(mine.server().filterInstances()).isEqualTo(theirs.server().filterInstances()).isTrue();
        }
        String lb2 = files.get("LoadBalancer2/Settings.xml");
        assertThat(backendShape(lb2)).isEqualTo(XmlShape.of(SEED_SINGLE_BACKEND, Set.of()));
        assertThat(backends(dir.resolve("LoadBalancer2/Settings.xml")))
                .isEqualTo(backends(seed.resolve("lb2/Settings.xml")));
        assertThat(files.get("app-parameters.txt")).contains("sipisHostPrefixLength=0\n");
    }

    @Test
    void eightMachinesTwoProcessesIsTheSeedsMultiMachineExample() throws Exception {
        SortedMap<String, String> files = Planner.files(PlanRequest.of(8, 2, "sipis.example.com", DB)
                .withPrivateNet("10.x").withTls("/path/to/key.pem", "/path/to/cert/chain.pem.pem"));
        Path seed = Fixtures.multi(dir.resolve("seed"));
        String hex = "0123456789ABCDEF";
        for (char c : hex.toCharArray()) {
            String file = "Settingssipis" + c + ".xml";
            assertThat(files).containsKey(file);
            // the seed's template, instantiated: same elements, same attributes, same values
            // (plus our fixed REGISTER port, which the seed's SIPIS does not have)
            assertThat(files.get(file)).containsPattern("<Registration Port=\"149[0-9]9\"/>");
            String withoutRegistration = files.get(file).replaceAll("\\s*<Registration Port=\"\\d+\"/>", "");
            assertThat(XmlShape.of(withoutRegistration, Set.of("defaults")))
                    .as(file).isEqualTo(XmlShape.of(Files.readString(seed.resolve(file)), Set.of("defaults")));
            assertThat(files.get(file)).contains("Defaults=\"/etc/sipis/Defaults.xml\"");
        }
        assertThat(files.keySet().stream().filter(f -> f.startsWith("Settings")).count()).isEqualTo(16);
        // Defaults.xml: the seed's two changed elements, exactly
        // plus ours: HTTP only for the local nginx, and an Administrator so that /stats works
        List<String> defaults = XmlShape.of(files.get("Defaults.xml"), Set.of());
        assertThat(defaults).hasSize(5);
        assertThat(defaults.get(0)).isEqualTo("/sipis {}");
        // several machines: other machines' LB2s reach the app leg, so it listens on every address
        assertThat(defaults.get(1)).isEqualTo(
                "/sipis/server {address=0.0.0.0, filterinstancesaccordingtoloadbalancer2backendsection=Yes, realm=Sipis}");
        assertThat(defaults.get(2)).isEqualTo("/sipis/httpserver {address=127.0.0.1}");
        assertThat(defaults.get(3)).matches("/sipis/administrator \\{password=[A-Za-z0-9]{24}, username=admin}");
        assertThat(defaults.get(4)).isEqualTo("/sipis/database {openstring=" + DB + "}");
        assertThat(backendShape(files.get("LoadBalancer2/Settings.xml")))
                .isEqualTo(XmlShape.of(Files.readString(seed.resolve("lb2/Settings.xml")), Set.of()));
        // nginx: the seed's site for every machine (server_name and comments are ours)
        for (int h = 0; h < 8; h++) {
            assertThat(withoutOurLines(files.get("nginx/host" + h + ".conf"))).isEqualTo(SEED_NGINX);
        }
        assertThat(files.get("nginx/host0.conf")).contains("server_name all.sipis.example.com s-0.sipis.example.com s-1.sipis.example.com;");
        // ours: every location sends the app's address (server level, inherited) ...
        for (int h = 0; h < 8; h++) {
            String site = files.get("nginx/host" + h + ".conf");
            assertThat(site).containsOnlyOnce("    proxy_set_header X-Forwarded-For $remote_addr;\n");
            assertThat(site.indexOf("proxy_set_header")).isLessThan(site.indexOf("location"));
            // ... and a readiness probe for an external load balancer
            assertThat(site).contains("    location = /health/ready {\n        proxy_pass http://anylocalsipis;\n"
                    + "        proxy_next_upstream error timeout http_503;\n    }\n");
        }
        // DNS: s-0 and s-1 on the first machine, s-2 and s-3 on the second, ...; all.* on every machine
        List<String> dns = files.get("dns.zone").lines().filter(l -> !l.startsWith(";"))
                .map(l -> l.replaceAll("\\s+", " ")).collect(Collectors.toList());
        assertThat(dns).contains("s-0.sipis.example.com. IN A S0IP", "s-1.sipis.example.com. IN A S0IP",
                "s-2.sipis.example.com. IN A S1IP", "s-f.sipis.example.com. IN A S7IP");
        assertThat(dns.stream().filter(l -> l.startsWith("all.")).count()).isEqualTo(8);
        assertThat(dns).hasSize(16 + 8);
        assertThat(files.get("app-parameters.txt")).isEqualTo("# App provisioning parameters for this plan\n"
                + "sipisHost=sipis.example.com\nsipisRegServer=all.sipis.example.com\nsipisHostPrefixLength=1\n");
    }

    /** The Backend of an LB2 file as a standalone {@code <loadbalancer2><backend>} shape. */
    static List<String> backendShape(String lb2) throws Exception {
        return XmlShape.of(lb2, Set.of()).stream()
                .filter(l -> !l.startsWith("/loadbalancer2/frontend"))
                .collect(Collectors.toList());
    }

    static List<String> backends(Path lb2) throws Exception {
        return Lb2Loader.load(lb2).settings().backends().stream()
                .map(b -> b.name().orElse("?") + " " + b.selectorPrefix() + " " + b.address())
                .collect(Collectors.toList());
    }

    /**
     * The site without what we add to the seed's: the header comment, {@code server_name}, the
     * X-Forwarded-For header (the per-source limit needs the app's address) and the
     * {@code /health/ready} probe location.
     */
    static String withoutOurLines(String nginx) {
        return nginx.replace(PlanRenderer.FORWARDED_FOR_COMMENT + PlanRenderer.FORWARDED_FOR, "")
                .replace(PlanRenderer.READY_PROBE, "")
                .lines().filter(l -> !l.startsWith("#") && !l.trim().startsWith("server_name"))
                .collect(Collectors.joining("\n"));
    }
}
