package org.opensipis.server.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;

/** What one process keeps, gains and loses between two LB2 files: the plan's arithmetic seen from one name. */
class ShardDeltaTest {

    private static Lb2Settings lb2(String... entries) {
        List<Backend> b = new java.util.ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            String[] e = entries[i].split("=");
            b.add(new Backend(Optional.of(e[1]), SelectorPrefix.parse(e[0]), "", HostPort.parse("127.0.0.1:" + (15000 + e[1].charAt(1))),
                    Path.of("lb2.xml"), i + 1));
        }
        return new Lb2Settings(Path.of("lb2.xml"), List.of(), List.of(), List.of(),
                new Lb2Settings.TlsOptions("TLSv1.2", "TLSv1.3", Optional.empty(), Optional.empty(), List.of()), b);
    }

    private static SelectorPrefix p(String s) {
        return SelectorPrefix.parse(s);
    }

    @Test
    void aSplitOntoANewProcess() {
        Lb2Settings before = lb2("0/1=S1", "8/1=S2");
        Lb2Settings after = lb2("0/2=S1", "4/2=S3", "8/1=S2");
        ShardDelta s1 = ShardDelta.of(before, after, "S1");
        assertThat(s1.kept()).containsExactly(p("0/2"));
        assertThat(s1.lost()).isEqualTo(Map.of(p("4/2"), "S3"));
        assertThat(s1.gained()).isEmpty();
        ShardDelta s3 = ShardDelta.of(before, after, "S3");
        assertThat(s3.gained()).isEqualTo(Map.of(p("4/2"), "S1"));
        assertThat(s3.owned()).containsExactly(p("4/2"));
        assertThat(ShardDelta.of(before, after, "S2").isEmpty()).isTrue();
    }

    @Test
    void aMergeBack() {
        Lb2Settings before = lb2("0/2=S1", "4/2=S3", "8/1=S2");
        Lb2Settings after = lb2("0/1=S1", "8/1=S2");
        ShardDelta s1 = ShardDelta.of(before, after, "S1");
        assertThat(s1.kept()).containsExactly(p("0/2"));
        assertThat(s1.gained()).isEqualTo(Map.of(p("4/2"), "S3"));
        assertThat(ShardDelta.of(before, after, "S3").lost()).isEqualTo(Map.of(p("4/2"), "S1"));
    }

    @Test
    void aFileWithAGapIsRefused() {
        assertThatThrownBy(() -> ShardDelta.of(lb2("0/1=S1", "8/1=S2"), lb2("0/1=S1"), "S1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no Backend entry covers");
    }
}
