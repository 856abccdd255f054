package org.opensipis.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.log.LogContext;
import org.opensipis.core.settings.LogSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The process's log: rolling file, text with MDC or JSON lines, an operator's logback.xml, journald. */
class LoggingTest {

    private static final Logger LOG = LoggerFactory.getLogger("org.opensipis.test.LoggingTest");

    @TempDir
    Path dir;

    @AfterEach
    void back() {
        Logging.bootstrap();
    }

    private LogSettings settings(Path file, boolean json, Optional<Path> config, LogSettings.Stdio stdio, boolean explicit) {
        return new LogSettings(file, LogSettings.Level.INFO, stdio, LogSettings.Level.INFO, explicit, Optional.empty(),
                new LogSettings.Rolling(5, 7, 50), json, config);
    }

    @Test
    void textLinesCarryTheMdcAndTheFileRollsBySizeAndDay() throws Exception {
        Path file = dir.resolve("log/sipis.log");
        String what = Logging.configure(settings(file, false, Optional.empty(), LogSettings.Stdio.NONE, false), Map.of(),
                Optional.empty());
        assertThat(what).contains(file.toString(), "rotated daily and at 5 MB", "kept 7 days / 50 MB");
        try (LogContext c = LogContext.call("SEL1", "call-9@x")) {
            LOG.info("relayed");
        }
        LOG.info("plain");
        LOG.debug("not at info");
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("[selector=SEL1, callId=call-9@x]", " - relayed").containsPattern(" INFO ");
        assertThat(lines.get(1)).endsWith("LoggingTest - plain");
        RollingFileAppender<?> fa = (RollingFileAppender<?>) ((LoggerContext) LoggerFactory.getILoggerFactory())
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("file");
        SizeAndTimeBasedRollingPolicy<?> p = (SizeAndTimeBasedRollingPolicy<?>) fa.getRollingPolicy();
        assertThat(p.getFileNamePattern()).isEqualTo(file + ".%d{yyyy-MM-dd}.%i.gz");
        assertThat(p.getMaxHistory()).isEqualTo(7);
    }

    @Test
    void jsonLinesParseAndHoldTheMdc() throws Exception {
        Path file = dir.resolve("sipis.json.log");
        Logging.configure(settings(file, true, Optional.empty(), LogSettings.Stdio.NONE, false), Map.of(), Optional.empty());
        try (LogContext c = LogContext.instance("SEL2", "registrar.example.com")) {
            LOG.warn("Instance {} unauthorized", "SEL2");
        }
        List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertThat(lines).hasSize(1);
        JsonNode n = new ObjectMapper().readTree(lines.get(0));
        assertThat(n.get("level").asText()).isEqualTo("WARN");
        assertThat(n.get("formattedMessage").asText()).isEqualTo("Instance SEL2 unauthorized");
        assertThat(n.get("mdc").get("registrar").asText()).isEqualTo("registrar.example.com");
        assertThat(n.get("mdc").get("selector").asText()).isEqualTo("SEL2");
    }

    @Test
    void anOperatorsLogbackXmlReplacesTheSettings() throws Exception {
        Path own = dir.resolve("own.log");
        Path xml = Files.writeString(dir.resolve("logback.xml"), "<configuration><appender name=\"f\" class=\"ch.qos.logback.core.FileAppender\">"
                + "<file>" + own + "</file><encoder><pattern>OWN %level %msg%n</pattern></encoder></appender>"
                + "<root level=\"DEBUG\"><appender-ref ref=\"f\"/></root></configuration>");
        Path ignored = dir.resolve("ignored.log");
        String what = Logging.configure(settings(ignored, false, Optional.of(xml), LogSettings.Stdio.NONE, false), Map.of(),
                Optional.empty());
        assertThat(what).isEqualTo("log configured by Log[ConfigFile] " + xml);
        LOG.debug("hello");
        assertThat(Files.readString(own)).isEqualTo("OWN DEBUG hello\n");
        assertThat(ignored).doesNotExist();
        // -Dlogback.configurationFile wins over Log[ConfigFile]
        Path other = Files.writeString(dir.resolve("other.xml"), Files.readString(xml).replace("OWN", "PROP"));
        assertThat(Logging.configure(settings(ignored, false, Optional.of(xml), LogSettings.Stdio.NONE, false), Map.of(),
                Optional.of(other.toString()))).isEqualTo("log configured by -Dlogback.configurationFile=" + other);
        LOG.info("again");
        assertThat(Files.readString(own)).endsWith("PROP INFO again\n");
    }

    @Test
    void aBrokenLogbackXmlIsRefusedNamingItAndTheOldLogStays() throws Exception {
        Path file = dir.resolve("kept.log");
        Logging.configure(settings(file, false, Optional.empty(), LogSettings.Stdio.NONE, false), Map.of(), Optional.empty());
        Path xml = Files.writeString(dir.resolve("broken.xml"), "<configuration><appender name=\"x\" class=\"no.Such\"/>"
                + "<root><appender-ref ref=\"x\"/></root>");
        assertThatThrownBy(() -> Logging.configure(settings(file, false, Optional.of(xml), LogSettings.Stdio.NONE, false),
                Map.of(), Optional.empty())).isInstanceOf(IOException.class).hasMessageContaining("Log[ConfigFile] " + xml);
        LOG.info("still here");
        assertThat(Files.readString(file)).contains("still here");
    }

    @Test
    void underSystemdWithoutStdioWarningsGoToJournald() throws Exception {
        Path file = dir.resolve("j.log");
        String what = Logging.configure(settings(file, false, Optional.empty(), LogSettings.Stdio.NONE, false),
                Map.of("JOURNAL_STREAM", "8:12345"), Optional.empty());
        assertThat(what).endsWith("; WARN and up also to stdout (journald)");
        String explicit = Logging.configure(settings(file, false, Optional.empty(), LogSettings.Stdio.NONE, true),
                Map.of("JOURNAL_STREAM", "8:12345"), Optional.empty());
        assertThat(explicit).doesNotContain("stdout");
    }

    @Test
    void anUnwritableLogFileIsNamed() {
        Path file = Path.of("/proc/sipis-cannot/x.log");
        assertThatThrownBy(() -> Logging.configure(settings(file, false, Optional.empty(), LogSettings.Stdio.NONE, false),
                Map.of(), Optional.empty())).hasMessageStartingWith("Log[FileName] " + file + ": cannot write the log file");
    }
}
