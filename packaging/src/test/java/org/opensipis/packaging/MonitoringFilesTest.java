package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and Prometheus alert rules shipped in /usr/share/sipis/monitoring parse,
 * use only sipis_* names docs/http-api.md lists (besides the standard {@code up} and
 * {@code process_start_time_seconds}),
 * and, where promtool is installed (CI: .ci/install.d/60-prometheus.sh), pass
 * {@code promtool check rules} and the alert unit tests.
 */
class MonitoringFilesTest {

    static final Path DIR = Path.of("src/deb/monitoring");
    static final Path RULES = DIR.resolve("prometheus-alerts.yml");
    static final Path DASHBOARD = DIR.resolve("grafana-dashboard.json");
    static final Path HTTP_API = Path.of("../docs/http-api.md");
    static final Pattern SIPIS_NAME = Pattern.compile("\\b(sipis_[a-z_]+)");

    @TempDir
    Path tmp;

    @Test
    void alertRulesParseAndEachHasSeverityAndSummary() throws Exception {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
        JsonNode rules = doc.get("groups").get(0).get("rules");
        Set<String> alerts = new TreeSet<>();
        for (JsonNode r : rules) {
            alerts.add(r.get("alert").asText());
            assertThat(r.get("expr").asText()).as(r.get("alert").asText()).isNotBlank();
            assertThat(r.get("labels").get("severity").asText()).isIn("warning", "critical");
            assertThat(r.get("annotations").get("summary").asText()).isNotBlank();
        }
        assertThat(alerts).contains("SipisRegistrationsFailing", "SipisPushFailures", "SipisPushBreakerOpen",
                "SipisDatabaseWriteQueueGrowing", "SipisRestartLoop", "SipisDown");
        assertThat(unknownNames(expressions(rules, "expr"))).isEmpty();
    }

    @Test
    void dashboardParsesWithUniquePanelIdsAndKnownMetrics() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(d.get("uid").asText()).isEqualTo("sipis-overview");
        Set<Integer> ids = new HashSet<>();
        List<String> exprs = new ArrayList<>();
        for (JsonNode p : d.get("panels")) {
            assertThat(ids.add(p.get("id").asInt())).as("panel id %s", p.get("id")).isTrue();
            assertThat(p.get("targets")).as(p.get("title").asText()).isNotEmpty();
            for (JsonNode t : p.get("targets")) {
                exprs.add(t.get("expr").asText());
            }
        }
        assertThat(exprs).hasSizeGreaterThan(10);
        assertThat(unknownNames(exprs)).isEmpty();
    }

    @Test
    void promtoolChecksTheRulesAndTheirUnitTests() throws Exception {
        assumeTrue(Cmd.has("promtool"), "promtool is not installed (Debian package prometheus)");
        Cmd.Result check = Cmd.run(List.of("promtool", "check", "rules", RULES.toString()));
        assertThat(check.code()).as(check.all()).isZero();
        Path tests = tmp.resolve("alerts.test.yml");
        Files.writeString(tests, Files.readString(Path.of("src/test/resources/monitoring/prometheus-alerts.test.yml"))
                .replace("RULES", RULES.toAbsolutePath().toString()));
        Cmd.Result t = Cmd.run(List.of("promtool", "test", "rules", tests.toString()));
        assertThat(t.code()).as(t.all()).isZero();
    }

    private static List<String> expressions(JsonNode rules, String field) {
        List<String> out = new ArrayList<>();
        rules.forEach(r -> out.add(r.get(field).asText()));
        return out;
    }

    /** Names in the expressions that are neither documented nor standard nor knowingly future. */
    private static Set<String> unknownNames(List<String> exprs) throws Exception {
        Set<String> documented = new HashSet<>();
        Matcher m = Pattern.compile("^\\| `(sipis_[a-z_]+)`", Pattern.MULTILINE).matcher(Files.readString(HTTP_API));
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).contains("sipis_instances", "sipis_pushes_total");
        Set<String> unknown = new TreeSet<>();
        for (String e : exprs) {
            Matcher n = SIPIS_NAME.matcher(e);
            while (n.find()) {
                String name = n.group(1).replaceAll("_(bucket|count|sum)$", "");
                if (!documented.contains(name)) {
                    unknown.add(name);
                }
            }
        }
        return unknown;
    }
}
