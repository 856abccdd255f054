package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** lintian finds no errors in the .deb (CI installs lintian: .ci/install.d/40-packaging.sh). */
@Timeout(600)
class LintianIT {

    @Test
    void noErrors() throws Exception {
        assumeTrue(Cmd.has("lintian"), "lintian is not installed");
        Cmd.Result r = Cmd.run(List.of("lintian", "--allow-root", "--fail-on", "error", Cmd.deb().toString()));
        List<String> errors = r.out().lines().filter(l -> l.startsWith("E:")).collect(Collectors.toList());
        assertThat(errors).as("lintian:\n%s", r.all()).isEmpty();
        assertThat(r.code()).as("lintian:\n%s", r.all()).isZero();
    }
}
