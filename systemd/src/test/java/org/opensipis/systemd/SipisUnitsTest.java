package org.opensipis.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-all logic: the generator makes sipis.service want one sipis@&lt;stem&gt;.service
 * per Settings*.xml, run against a temporary /etc/sipis holding Settings1–4.xml.
 */
@Timeout(60)
class SipisUnitsTest {

    @TempDir
    Path dir;

    private Path etc;
    private Path script;
    private Path generator;

    @BeforeEach
    void setUp() throws Exception {
        etc = Files.createDirectories(dir.resolve("etc/sipis"));
        script = Shell.resource("sipis-units", dir.resolve("sipis-units"));
        generator = Shell.resource("sipis-generator", dir.resolve("sipis-generator"));
        for (int i = 1; i <= 4; i++) {
            Files.writeString(etc.resolve("Settings" + i + ".xml"), "<Sipis/>");
        }
        // not process files: the shared defaults, dpkg leftovers, a directory, a name systemd would mangle
        Files.writeString(etc.resolve("Defaults.xml"), "<Sipis/>");
        Files.writeString(etc.resolve("Settings.xml.dpkg-old"), "<Sipis/>");
        Files.writeString(etc.resolve("sipis.key"), "0123456789abcdef");
        Files.createDirectories(etc.resolve("Settings9.xml"));
        Files.writeString(etc.resolve("Settings bad.xml"), "<Sipis/>");
    }

    private Shell.Result units(String... args) throws Exception {
        List<String> cmd = Stream.concat(Stream.of("sh", script.toString()), Stream.of(args)).collect(Collectors.toList());
        return Shell.run(dir, Map.of("SIPIS_ETC_DIR", etc.toString(), "SIPIS_UNIT_DIR", "/lib/systemd/system"), cmd);
    }

    @Test
    void listsOneUnitPerSettingsFile() throws Exception {
        Shell.Result r = units("list");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines()).containsExactly("sipis@Settings1.service", "sipis@Settings2.service",
                "sipis@Settings3.service", "sipis@Settings4.service");
        assertThat(r.err()).contains("skipping").contains("Settings bad.xml");
    }

    @Test
    void generatorWantsEachInstanceAndFollowsAddedFiles() throws Exception {
        Path out = dir.resolve("generator.normal");
        assertThat(units("generate", out.toString()).code()).isZero();
        Path wants = out.resolve("sipis.service.wants");
        assertThat(links(wants)).containsExactly("sipis@Settings1.service", "sipis@Settings2.service",
                "sipis@Settings3.service", "sipis@Settings4.service");
        assertThat(Files.readSymbolicLink(wants.resolve("sipis@Settings3.service")))
                .isEqualTo(Path.of("/lib/systemd/system/sipis@.service"));

        // the operator adds a file; daemon-reload reruns the generator into a fresh directory
        Files.writeString(etc.resolve("Settings5.xml"), "<Sipis/>");
        Files.delete(etc.resolve("Settings2.xml"));
        Path again = dir.resolve("generator.again");
        assertThat(units("generate", again.toString()).code()).isZero();
        assertThat(links(again.resolve("sipis.service.wants"))).containsExactly("sipis@Settings1.service",
                "sipis@Settings3.service", "sipis@Settings4.service", "sipis@Settings5.service");
    }

    @Test
    void theGeneratorWrapperCallsTheScript() throws Exception {
        assertThat(Files.readString(generator)).contains("exec /usr/lib/sipis/sipis-units generate \"$1\"");
    }

    @Test
    void checkFailsWithoutSettingsFiles() throws Exception {
        assertThat(units("check").code()).isZero();
        for (int i = 1; i <= 4; i++) {
            Files.delete(etc.resolve("Settings" + i + ".xml"));
        }
        Files.delete(etc.resolve("Settings bad.xml"));
        Shell.Result r = units("check");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no " + etc + "/Settings*.xml");
        Shell.Result g = units("generate", dir.resolve("empty").toString());
        assertThat(g.code()).isZero();
        assertThat(links(dir.resolve("empty/sipis.service.wants"))).isEmpty();
        assertThat(units("bogus").code()).isEqualTo(2);
    }

    private static List<String> links(Path wants) throws Exception {
        try (Stream<Path> s = Files.list(wants)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
