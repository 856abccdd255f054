package org.opensipis.core.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SelectorPrefixTest {

    @Test
    void hexAndHexBitsForms() {
        SelectorPrefix c2 = SelectorPrefix.parse("C/2");
        assertThat(c2.matches("C123")).isTrue();
        assertThat(c2.matches("F000")).isTrue();
        assertThat(c2.matches("B000")).isFalse();
        assertThat(c2.lowerBound()).isEqualTo("C");
        assertThat(c2.upperBound()).isEmpty();
        SelectorPrefix four = SelectorPrefix.parse("4/2");
        assertThat(four.lowerBound()).isEqualTo("4");
        assertThat(four.upperBound()).contains("8");
        SelectorPrefix a4 = SelectorPrefix.parse("a/4");
        assertThat(a4.matches("AB")).isTrue();
        assertThat(a4.matches("BA")).isFalse();
        assertThat(a4.upperBound()).contains("B");
        SelectorPrefix plain = SelectorPrefix.parse("12");
        assertThat(plain.bits()).isEqualTo(8);
        assertThat(plain.matches("12FF")).isTrue();
        assertThat(plain.matches("13")).isFalse();
        assertThat(plain.upperBound()).contains("13");
        assertThat(SelectorPrefix.parse("").matches("anything")).isTrue();
        assertThat(SelectorPrefix.parse("C0/2")).isEqualTo(c2);
        assertThat(SelectorPrefix.parse("F/4").upperBound()).isEmpty();
        assertThat(SelectorPrefix.parse("8/1").upperBound()).isEmpty();
        assertThat(SelectorPrefix.parse("7F/8").upperBound()).contains("80");
    }

    @Test
    void refusesBitsPastTheLength() {
        assertThatThrownBy(() -> SelectorPrefix.parse("D/2")).hasMessageContaining("did you mean \"C/2\"?");
        assertThatThrownBy(() -> SelectorPrefix.parse("C/5")).hasMessageContaining("0..4");
        assertThatThrownBy(() -> SelectorPrefix.parse("G")).hasMessageContaining("hex digits");
        assertThatThrownBy(() -> SelectorPrefix.parse("C/x")).hasMessageContaining("whole number");
    }

    @Test
    void firstMatchInFileOrderDecidesOwnership() {
        Backend special = new Backend(Optional.of("B"), SelectorPrefix.parse("0/4"), "com.special", HostPort.parse("h:1"), Path.of("x"), 1);
        Backend zero = new Backend(Optional.of("A"), SelectorPrefix.parse("0/2"), "", HostPort.parse("h:2"), Path.of("x"), 2);
        Backend rest = new Backend(Optional.of("B"), SelectorPrefix.ALL, "", HostPort.parse("h:3"), Path.of("x"), 3);
        List<Backend> all = List.of(special, zero, rest);
        Shard a = Shard.filtered("A", all);
        Shard b = Shard.filtered("B", all);
        assertThat(a.owns("0ABC", "com.other")).isTrue();
        assertThat(b.owns("0ABC", "com.special.app")).isTrue();
        assertThat(a.owns("0ABC", "com.special.app")).isFalse();
        assertThat(b.owns("9ABC", "x")).isTrue();
        assertThat(Shard.filtered("C", all).isEmpty()).isTrue();
        assertThat(Shard.filtered("C", all).toString()).contains("registration server only");
        assertThat(Shard.all("C").owns("anything", null)).isTrue();
    }

    @Test
    void rangesMergeAdjacentPrefixes() {
        List<Backend> backends = List.of(
                new Backend(Optional.of("A"), SelectorPrefix.parse("0/2"), "", HostPort.parse("h:1"), Path.of("x"), 1),
                new Backend(Optional.of("A"), SelectorPrefix.parse("4/2"), "", HostPort.parse("h:1"), Path.of("x"), 2),
                new Backend(Optional.of("A"), SelectorPrefix.parse("C/2"), "", HostPort.parse("h:1"), Path.of("x"), 3));
        assertThat(Shard.filtered("A", backends).ranges()).containsExactly(
                new SelectorRange("0", Optional.of("8")), new SelectorRange("C", Optional.empty()));
    }

    @Test
    void selectorsAreNormalised() {
        assertThat(Selector.normalise("12869e0e6e553673c54f29105a0647204c416a2a:7c3a0d14"))
                .isEqualTo("12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14");
        assertThatThrownBy(() -> Selector.normalise("xyz")).hasMessageContaining("not hex digits");
        assertThatThrownBy(() -> Selector.normalise("A".repeat(65))).hasMessageContaining("at most 64");
        assertThatThrownBy(() -> Selector.normalise("AB:")).hasMessageContaining("not hex digits");
    }

    @Test
    void hostPortForms() {
        assertThat(HostPort.parse("0:4998")).isEqualTo(new HostPort("0.0.0.0", 4998));
        assertThat(HostPort.parse("[::1]:5")).isEqualTo(new HostPort("::1", 5));
        assertThat(HostPort.parse("S0IP:14998").host()).isEqualTo("S0IP");
        assertThatThrownBy(() -> HostPort.parse("::1:5")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> HostPort.parse("h:0")).hasMessageContaining("1 to 65535");
    }
}
