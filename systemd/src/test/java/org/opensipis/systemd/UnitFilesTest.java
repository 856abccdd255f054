package org.opensipis.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The units pass {@code systemd-analyze verify} and carry the settings the issue asks for. */
@Timeout(120)
class UnitFilesTest {

    @TempDir
    Path dir;

    @Test
    void unitsVerifyCleanly() throws Exception {
        assumeTrue(Shell.has("systemd-analyze"), "systemd-analyze is not installed");
        // verify insists that ExecStart binaries exist: point them at one that does (toolbox §10)
        for (String unit : List.of("sipis.service", "sipis@.service", "sipis-lb2.service")) {
            String text = Shell.text(unit).replace("/usr/bin/sipis", "/bin/true")
                    .replace("/usr/lib/sipis/sipis-units", "/bin/true");
            Files.writeString(dir.resolve(unit), text);
        }
        Files.copy(dir.resolve("sipis@.service"), dir.resolve("sipis@Settings1.service"));
        Shell.Result r = Shell.run(dir, Map.of("SYSTEMD_LOG_COLOR", "0"), List.of("systemd-analyze", "verify",
                "--man=no", dir.resolve("sipis.service").toString(), dir.resolve("sipis@Settings1.service").toString(),
                dir.resolve("sipis-lb2.service").toString()));
        // unknown keys and bad values are only warnings: fail on any line about our units
        List<String> ours = r.err().lines().filter(l -> l.contains("sipis")).collect(Collectors.toList());
        assertThat(ours).as("systemd-analyze verify:\n%s", r.err()).isEmpty();
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void templateRunsOneSettingsFileHardened() throws Exception {
        List<String> t = Shell.text("sipis@.service").lines().collect(Collectors.toList());
        assertThat(t).contains("User=sipis", "ExecStart=/usr/bin/sipis run /etc/sipis/%i.xml",
                "PartOf=sipis.service", "ConditionPathExists=/etc/sipis/%i.xml", "NoNewPrivileges=yes",
                "ProtectSystem=strict", "ReadWritePaths=/var/log/sipis /var/lib/sipis /run/sipis", "PrivateTmp=yes",
                "LimitNOFILE=65535", "Restart=on-failure");
        // exit codes 3 (settings) and 4 (lock held) cannot be fixed by a restart
        assertThat(t).contains("RestartPreventExitStatus=3 4", "ExecReload=/bin/kill -HUP $MAINPID",
                "StandardOutput=journal", "StandardError=journal", "SuccessExitStatus=143");
        // TimeoutStopSec must outlast ShutdownTimeout (default 10 s, check warns above 20 s) + 5 s of JVM grace
        assertThat(t).contains("TimeoutStopSec=30s");
        List<String> lb2 = Shell.text("sipis-lb2.service").lines().collect(Collectors.toList());
        assertThat(lb2).contains("RestartPreventExitStatus=3", "ExecReload=/bin/kill -HUP $MAINPID",
                "StandardOutput=journal", "EnvironmentFile=-/etc/default/sipis");
        // options from /etc/default/sipis (e.g. --metrics 127.0.0.1:9498): unquoted, so that an
        // empty or unset SIPIS_LB2_OPTS adds no argument and several options split on spaces
        assertThat(lb2).contains("ExecStart=/usr/bin/sipis lb2 $SIPIS_LB2_OPTS /etc/acrobits/LoadBalancer2/Settings.xml");
        List<String> all = Shell.text("sipis.service").lines().collect(Collectors.toList());
        assertThat(all).contains("Type=oneshot", "RemainAfterExit=yes", "WantedBy=multi-user.target");
        assertThat(Shell.text("sipis.tmpfiles")).contains("d /run/sipis 0750 sipis sipis -");
    }
}
