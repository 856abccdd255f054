package org.opensipis.server.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.server.plan.Rebalance.Kind;
import org.opensipis.server.plan.Rebalance.Step;

/** {@code sipis plan --from --to}: moves, order and the exhaustive one-owner check. */
class PlanRebalanceTest {

    static final String SEED = entry("Sipis1", "0/2", 14998) + entry("Sipis2", "4/2", 14988)
            + entry("Sipis3", "8/2", 14978) + entry("Sipis4", "C/2", 14968);

    @TempDir
    Path dir;

    static String entry(String name, String prefix, int port) {
        return entry(name, prefix, "127.0.0.1", port);
    }

    static String entry(String name, String prefix, String host, int port) {
        return "  <Sipis Name=\"" + name + "\" SelectorPrefix=\"" + prefix + "\" Address=\"" + host + ":" + port + "\"/>\n";
    }

    static Path lb2(Path file, String entries) {
        return Fixtures.write(file, "<LoadBalancer2>\n<Backend>\n" + entries + "</Backend>\n</LoadBalancer2>\n");
    }

    private Rebalance rebalance(String oldEntries, String newEntries) throws Exception {
        Lb2Settings a = Lb2Loader.load(lb2(dir.resolve("old.xml"), oldEntries)).settings();
        Lb2Settings b = Lb2Loader.load(lb2(dir.resolve("new.xml"), newEntries)).settings();
        int bits = Math.max(Ownership.longestPrefix(a), Ownership.longestPrefix(b));
        return Rebalance.of(Ownership.of(a, bits), Ownership.of(b, bits));
    }

    private Ownership ownership(String entries) throws Exception {
        Lb2Settings s = Lb2Loader.load(lb2(dir.resolve("one.xml"), entries)).settings();
        return Ownership.of(s, Ownership.longestPrefix(s));
    }

    @Test
    void splittingZeroOverTwoMovesTwoOverThreeToTheNewProcessGainerFirst() throws Exception {
        Rebalance r = rebalance(SEED, SEED.replace(entry("Sipis1", "0/2", 14998),
                entry("Sipis1", "0/3", 14998) + entry("Sipis5", "2/3", 14958)));
        assertThat(r.moves()).hasSize(1);
        assertThat(r.moves().get(0).prefixes()).containsExactly("2/3");
        assertThat(r.moves().get(0).from().name()).isEqualTo("Sipis1");
        assertThat(r.moves().get(0).to().toString()).isEqualTo("Sipis5 (127.0.0.1:14958)");
        List<Step> order = r.order();
        assertThat(order).extracting(Step::kind, s -> s.process().name())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.REGISTER, "Sipis5"),
                        org.assertj.core.groups.Tuple.tuple(Kind.DROP, "Sipis1"));
        assertThat(r.check(order)).isEmpty();
        assertThat(r.windows(order)).singleElement().satisfies(w -> {
            assertThat(w.opens()).isEqualTo(1);
            assertThat(w.closes()).isEqualTo(2);
        });
    }

    @Test
    void movingCOverTwoToAnotherHostIsOneMoveBetweenHosts() throws Exception {
        Rebalance r = rebalance(SEED, SEED.replace(entry("Sipis4", "C/2", 14968), entry("Sipis4", "C/2", "10.0.0.2", 14998)));
        assertThat(r.moves()).singleElement().satisfies(m -> {
            assertThat(m.prefixes()).containsExactly("C/2");
            assertThat(m.from().toString()).isEqualTo("Sipis4 (127.0.0.1:14968)");
            assertThat(m.to().toString()).isEqualTo("Sipis4 (10.0.0.2:14998)");
        });
        assertThat(r.check(r.order())).isEmpty();
    }

    @Test
    void mergingTwoBackIntoOneAndSwappingRangesStayMakeBeforeBreak() throws Exception {
        String split = SEED.replace(entry("Sipis1", "0/2", 14998),
                entry("Sipis1", "0/3", 14998) + entry("Sipis5", "2/3", 14958));
        Rebalance merge = rebalance(split, SEED);
        assertThat(merge.moves()).singleElement().satisfies(m -> {
            assertThat(m.prefixes()).containsExactly("2/3");
            assertThat(m.from().name()).isEqualTo("Sipis5");
            assertThat(m.to().name()).isEqualTo("Sipis1");
        });
        assertThat(merge.check(merge.order())).isEmpty();

        // Sipis1 and Sipis2 swap: each gains and loses; both register before either drops.
        Rebalance swap = rebalance(SEED, entry("Sipis2", "0/2", 14988) + entry("Sipis1", "4/2", 14998)
                + entry("Sipis3", "8/2", 14978) + entry("Sipis4", "C/2", 14968));
        assertThat(swap.moves()).hasSize(2);
        assertThat(swap.order()).extracting(Step::kind).containsExactly(Kind.REGISTER, Kind.REGISTER, Kind.DROP, Kind.DROP);
        assertThat(swap.check(swap.order())).isEmpty();
    }

    @Test
    void anOrderThatBreaksBeforeItMakesIsCaught() throws Exception {
        Rebalance r = rebalance(SEED, SEED.replace(entry("Sipis1", "0/2", 14998),
                entry("Sipis1", "0/3", 14998) + entry("Sipis5", "2/3", 14958)));
        List<Step> wrong = List.of(r.order().get(1), r.order().get(0));
        assertThat(r.check(wrong)).singleElement().asString()
                .startsWith("after step 1 (Sipis1 (127.0.0.1:14998) drops 2/3")
                .contains("2/3 have no owner: Sipis1 (127.0.0.1:14998) dropped them before Sipis5 (127.0.0.1:14958) registered them");
        assertThat(r.check(List.of(r.order().get(0)))).singleElement().asString()
                .contains("after the last step: 2/3 are still held by both").contains("the window never closes");
        assertThat(r.check(List.of())).singleElement().asString().contains("which never registered them");
    }

    @Test
    void aGapIsNamedWithFileLineAndPrefix() throws Exception {
        Ownership o = ownership(entry("Sipis1", "0/2", 14998) + entry("Sipis2", "4/2", 14988) + entry("Sipis4", "C/2", 14968));
        assertThat(o.errors()).singleElement().asString()
                .contains("one.xml:4: prefix 8/2: no Backend entry covers these selectors (after the entry on line 4)");
        Ownership tail = ownership(entry("Sipis1", "0/1", 14998) + entry("Sipis2", "8/3", 14988));
        assertThat(tail.errors()).singleElement().asString().contains("one.xml:4: prefix A/3, C/2: no Backend entry");
    }

    @Test
    void anOverlapIsNamedWithBothEntriesAndThePrefix() throws Exception {
        Ownership o = ownership(SEED + entry("Sipis5", "2/3", 14958));
        assertThat(o.errors()).singleElement().asString()
                .contains("one.xml:7: prefix 2/3: selectors 2/3 have two owners: Sipis5 (127.0.0.1:14958) here"
                        + " and Sipis1 (127.0.0.1:14998) on line 3");
        assertThat(ownership(SEED + entry("Sipis1", "2/3", 14998)).errors()).isEmpty();
        assertThat(ownership(SEED + entry("Sipis1", "2/3", 14000)).errors()).singleElement().asString()
                .contains("one name is one process");
        assertThat(ownership(entry("", "", 14998)).errors()).first().asString().contains("has no Name");
    }

    @Test
    void aTwentyBitCarveOutIsCheckedOverEveryOneOfTheMillionCells() throws Exception {
        String halves = entry("Sipis1", "0/1", 14998) + entry("Sipis2", "8/1", 14988);
        int cell = 0xABCDE;
        StringBuilder carved = new StringBuilder(entry("Sipis1", "0/1", 14998));
        for (String p : Ownership.prefixes(1 << 19, cell, 20)) {
            carved.append(entry("Sipis2", p, 14988));
        }
        carved.append(entry("Sipis3", "ABCDE/20", 14978));
        for (String p : Ownership.prefixes(cell + 1, 1 << 20, 20)) {
            carved.append(entry("Sipis2", p, 14988));
        }
        Rebalance r = rebalance(halves, carved.toString());
        assertThat(r.before().size()).isEqualTo(1 << 20);
        assertThat(r.after().errors()).isEmpty();
        assertThat(r.moves()).singleElement().satisfies(m -> {
            assertThat(m.prefixes()).containsExactly("ABCDE/20");
            assertThat(m.from().name()).isEqualTo("Sipis2");
            assertThat(m.to().name()).isEqualTo("Sipis3");
        });
        assertThat(r.check(r.order())).isEmpty();
        assertThat(r.check(List.of(new Step(Kind.DROP, r.moves().get(0).from())))).first().asString()
                .contains("ABCDE/20 have no owner");
    }

    @Test
    void prefixesAreTheFewestAlignedBlocks() {
        assertThat(Ownership.prefixes(0, 4, 2)).containsExactly("(all selectors)");
        assertThat(Ownership.prefixes(1, 4, 3)).containsExactly("2/3", "4/2");
        assertThat(Ownership.prefixes(3, 4, 2)).containsExactly("C/2");
        assertThat(Ownership.prefixes(10, 11, 4)).containsExactly("A/4");
        assertThat(Ownership.prefixes(0x12, 0x13, 5)).containsExactly("90/5");
        assertThat(Ownership.value(org.opensipis.core.shard.SelectorPrefix.parse("C/2"))).isEqualTo(3);
    }
}
