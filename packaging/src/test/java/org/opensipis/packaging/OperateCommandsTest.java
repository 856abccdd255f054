package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every command in docs/operate.md's shell blocks is either run by a named test (and that test's
 * source contains the command) or listed here with the reason it cannot run in CI. A new command
 * in the guide fails this test until it is one or the other.
 */
class OperateCommandsTest {

    static final Path GUIDE = Path.of("../docs/operate.md");

    /** Command (first words) → the test source that runs it. */
    static final Map<String, String> RUN_BY = new LinkedHashMap<>();
    /** Command (first word) → why CI does not run it. */
    static final Map<String, String> NOT_IN_CI = new LinkedHashMap<>();

    static {
        String pkg = "src/test/java/org/opensipis/packaging/";
        String cli = "../sipis-server/src/test/java/org/opensipis/server/cli/";
        RUN_BY.put("sipis check", pkg + "DebInstallIT.java");
        RUN_BY.put("sipis db init", pkg + "DebInstallIT.java");
        RUN_BY.put("sipis plan", pkg + "DebInstallIT.java");
        RUN_BY.put("sipis key rotate", cli + "KeyCommandTest.java");
        RUN_BY.put("sipis key reseal", cli + "KeyCommandTest.java");
        RUN_BY.put("sipis key create", cli + "KeyCommandTest.java");
        RUN_BY.put("/usr/lib/sipis/sipis-units list", pkg + "DebInstallIT.java");
        RUN_BY.put("dpkg -i", pkg + "DebInstallIT.java");
        RUN_BY.put("dpkg --purge", pkg + "DebInstallIT.java");
        RUN_BY.put("kill -HUP", cli + "RunCommandTest.java");
        String it = "../sipis-server/src/test/java/org/opensipis/server/it/";
        RUN_BY.put("sipis ctl", it + "ControlApiTest.java");
        RUN_BY.put("curl -s http://127.0.0.1:5000/health/ready", it + "HealthReadinessTest.java");
        RUN_BY.put("curl -s http://127.0.0.1:5000/health/live", it + "HealthReadinessTest.java");
        RUN_BY.put("curl -s http://127.0.0.1:5000/metrics", it + "ControlApiTest.java");
        NOT_IN_CI.put("S=/etc/sipis/Settings1.xml", "a shell variable for the commands after it");
        NOT_IN_CI.put("systemctl", "no systemd as PID 1 on the CI machine: the units are verified and their ExecStart run instead");
        NOT_IN_CI.put("journalctl", "no systemd journal on the CI machine");
        NOT_IN_CI.put("apt", "installing a local .deb with apt needs the archive; the test uses dpkg -i");
        NOT_IN_CI.put("runuser", "pg_dump/pg_restore of a production database: standard PostgreSQL tools, not tested end to end");
        NOT_IN_CI.put("install", "coreutils");
        NOT_IN_CI.put("tar", "coreutils");
        NOT_IN_CI.put("cp", "coreutils");
        NOT_IN_CI.put("mv", "coreutils");
        NOT_IN_CI.put("ps", "procps");
        NOT_IN_CI.put("for", "a loop over sipis check, which DebInstallIT runs");
    }

    @Test
    void everyCommandIsRunByATestOrExplained() throws Exception {
        List<String> unexplained = new ArrayList<>();
        for (String cmd : commands(Files.readString(GUIDE))) {
            String run = RUN_BY.keySet().stream().filter(cmd::startsWith).findFirst().orElse(null);
            if (run != null) {
                assertThat(Files.readString(Path.of(RUN_BY.get(run)))).as("%s runs %s", RUN_BY.get(run), run)
                        .contains(testForm(run));
                continue;
            }
            String first = cmd.split("\\s+")[0];
            if (!NOT_IN_CI.containsKey(first)) {
                unexplained.add(cmd);
            }
        }
        assertThat(unexplained).as("commands in docs/operate.md no test runs and no reason is given for").isEmpty();
    }

    /** How a test spells the command: argument lists ("sipis", "check") or the command line. */
    private static String testForm(String run) {
        switch (run) {
            case "sipis check": return "\"check\"";
            case "sipis db init": return "\"db\", \"init\"";
            case "sipis plan": return "\"plan\"";
            case "sipis key rotate": return "\"rotate\"";
            case "sipis key reseal": return "\"reseal\"";
            case "sipis key create": return "\"create\"";
            case "/usr/lib/sipis/sipis-units list": return "\"/usr/lib/sipis/sipis-units\", \"list\"";
            case "dpkg -i": return "\"dpkg\", \"-i\"";
            case "dpkg --purge": return "\"dpkg\", \"--purge\"";
            case "kill -HUP": return "\"kill\", \"-HUP\"";
            case "sipis ctl": return "all[0] = \"ctl\"";
            case "curl -s http://127.0.0.1:5000/health/ready": return "/health/ready";
            case "curl -s http://127.0.0.1:5000/health/live": return "/health/live";
            case "curl -s http://127.0.0.1:5000/metrics": return "/metrics";
            default: return run;
        }
    }

    /** The command lines of the ```bash and ```sh blocks, without comments and continuations. */
    static List<String> commands(String markdown) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        boolean continued = false;
        for (String line : markdown.split("\n")) {
            String t = line.trim();
            if (t.startsWith("```")) {
                in = !in && (t.equals("```bash") || t.equals("```sh"));
                continued = false;
                continue;
            }
            if (!in || t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            if (!continued) {
                for (String part : t.replaceAll("\\s+#.*$", "").split("&&")) {
                    out.add(part.trim());
                }
            }
            continued = t.endsWith("\\");
        }
        return out;
    }
}
