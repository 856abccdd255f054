package org.opensipis.server.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.server.plan.PlanRebalanceTest.SEED;
import static org.opensipis.server.plan.PlanRebalanceTest.entry;
import static org.opensipis.server.plan.PlanRebalanceTest.lb2;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.server.cli.SipisCommand;
import picocli.CommandLine;

/** {@code sipis plan --from OLD_LB2 --to NEW_LB2} on the command line. */
class PlanRebalanceCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = SipisCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void printsTheMovesTheOrderAndTheWindowOfASplit() {
        Path old = lb2(dir.resolve("old.xml"), SEED);
        Path neu = lb2(dir.resolve("new.xml"), SEED.replace(entry("Sipis1", "0/2", 14998),
                entry("Sipis1", "0/3", 14998) + entry("Sipis5", "2/3", 14958)));
        assertThat(run("plan", "--from", old.toString(), "--to", neu.toString())).isEqualTo(0);
        assertThat(out.toString())
                .contains("Checked every selector at 3-bit granularity (8 ranges): exactly one owner in OLD (4 processes)"
                        + " and in NEW (5 processes)")
                .contains("  2/3: Sipis1 (127.0.0.1:14998) -> Sipis5 (127.0.0.1:14958)")
                .contains("  1. [start] Sipis5 (127.0.0.1:14958) registers 2/3 (from Sipis1 (127.0.0.1:14998))")
                .contains("  2. [after hand-over] Sipis1 (127.0.0.1:14998) drops 2/3 (once Sipis5 (127.0.0.1:14958) has its 200 OK)")
                .contains("  2/3: Sipis1 (127.0.0.1:14998) and Sipis5 (127.0.0.1:14958) from step 1 to step 2");
        assertThat(err.toString()).isEmpty();
        assertThat(dir.resolve("sipis-plan")).doesNotExist();
    }

    @Test
    void fineGrainedPrefixesAreCheckedExhaustivelyAndTooFineOnesRefused() {
        Path old = lb2(dir.resolve("old.xml"), SEED);
        Path fine = lb2(dir.resolve("fine.xml"), entry("Sipis5", "ABCD/16", 14958) + SEED);
        assertThat(run("plan", "--from", fine.toString(), "--to", old.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("fine.xml:6: prefix 8/2: selectors ABCD/16 have two owners: Sipis3");
        Path carved = lb2(dir.resolve("carved.xml"), entry("Sipis5", "ABCD/16", 14958)
                + SEED.replace(entry("Sipis3", "8/2", 14978), entry("Sipis3", "8/3", 14978)
                        + entry("Sipis3", "A/4", 14978) + entry("Sipis3", "B/4", 14978)));
        assertThat(run("plan", "--from", carved.toString(), "--to", old.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("carved.xml:7: prefix A/4: selectors ABCD/16 have two owners");
        Path tooFine = lb2(dir.resolve("toofine.xml"), entry("Sipis5", "ABCDE8/21", 14958) + SEED);
        assertThat(run("plan", "--from", tooFine.toString(), "--to", old.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("21 bits are longer than the 20 bits sipis plan checks exhaustively");
    }

    @Test
    void sameFilesMoveNothing() {
        Path old = lb2(dir.resolve("old.xml"), SEED);
        assertThat(run("plan", "--from", old.toString(), "--to", old.toString())).isEqualTo(0);
        assertThat(out.toString()).contains("Nothing moves");
    }

    @Test
    void refusesAFileWithAGapOrAnOverlapWithExitThree() {
        Path old = lb2(dir.resolve("old.xml"), SEED);
        Path gap = lb2(dir.resolve("gap.xml"), SEED.replace(entry("Sipis3", "8/2", 14978), ""));
        assertThat(run("plan", "--from", old.toString(), "--to", gap.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("refusing to plan")
                .contains("gap.xml:4: prefix 8/2: no Backend entry covers these selectors");
        Path twice = lb2(dir.resolve("twice.xml"), SEED + entry("Sipis5", "E/3", 14958));
        assertThat(run("plan", "--from", twice.toString(), "--to", old.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("twice.xml:7: prefix E/3: selectors E/3 have two owners");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBrokenFileIsExitThreeAndMissingPartnersAreUsageErrors() {
        Path old = lb2(dir.resolve("old.xml"), SEED);
        Path bad = lb2(dir.resolve("bad.xml"), entry("Sipis1", "D/2", 14998));
        assertThat(run("plan", "--from", old.toString(), "--to", bad.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("bad.xml:3: error:");
        assertThat(run("plan", "--from", old.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--from and --to go together");
        assertThat(run("plan", "--hosts", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required options: '--domain=D', '--db=OPENSTRING'");
    }
}
