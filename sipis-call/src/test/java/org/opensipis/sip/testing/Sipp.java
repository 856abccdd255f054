package org.opensipis.sip.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs SIPp (Debian sip-tester) with a scenario from src/test/resources/sipp/ as a UDP caller
 * on loopback. {@link #start} returns at once; {@link Run#await} waits for the exit code.
 */
public final class Sipp {

    public static final Path BINARY = Path.of("/usr/bin/sipp");

    private Sipp() {
    }

    /** One SIPp run; its message trace and error log live in {@code dir}. */
    public record Run(Process process, Path dir, String scenario) {
        public int await(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        }

        /** Everything SIPp logged: stdout, the message trace and the error log. */
        public String logs() throws IOException {
            StringBuilder b = new StringBuilder();
            try (var files = Files.list(dir)) {
                for (Path p : files.sorted().toList()) {
                    if (Files.isRegularFile(p) && !p.toString().endsWith(".xml")) {
                        b.append("==== ").append(p.getFileName()).append('\n')
                                .append(Files.readString(p, StandardCharsets.ISO_8859_1)).append('\n');
                    }
                }
            }
            return b.toString();
        }
    }

    /**
     * Starts SIPp calling {@code service}@127.0.0.1:{@code proxyPort} once with the given
     * classpath scenario; extra args are appended (e.g. {@code -key name value}).
     */
    public static Run start(String scenario, int proxyPort, String service, Path dir, String... extra)
            throws IOException {
        Path xml = dir.resolve(scenario);
        try (var in = Sipp.class.getResourceAsStream("/sipp/" + scenario)) {
            if (in == null) {
                throw new IOException("no scenario /sipp/" + scenario + " on the test classpath");
            }
            Files.copy(in, xml);
        }
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "127.0.0.1:" + proxyPort, "-sf", xml.toString(),
                "-s", service, "-i", "127.0.0.1", "-p", Integer.toString(Kamailio.freePort()), "-m", "1", "-t", "u1",
                "-nostdin", "-timeout", "30s", "-timeout_error", "-trace_msg", "-trace_err",
                "-message_file", dir.resolve("messages.log").toString(),
                "-error_file", dir.resolve("errors.log").toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        return new Run(p, dir, scenario);
    }
}
