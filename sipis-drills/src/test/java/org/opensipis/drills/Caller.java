package org.opensipis.drills;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * SIPp (Debian sip-tester) placing calls through the registrar/proxy to random drill users at
 * a fixed rate for a while. Results come from the scenario's "END &lt;call-id&gt; &lt;user&gt; &lt;status&gt;
 * &lt;reason&gt;" log lines.
 */
final class Caller implements AutoCloseable {

    /** How one call ended: status "480", "404", …, or "late" (no final answer within T1 + margin). */
    record Call(String callId, String user, String status, String reason) {
    }

    private final Path dir;
    private final Process process;

    /**
     * @param users the users to call (chosen at random), @param rate calls per second,
     * @param seconds how long to place calls, @param finalWithinMillis the longest wait for the 480
     */
    Caller(Path dir, String proxyHost, int proxyPort, List<String> users, double rate, int seconds,
           long finalWithinMillis, List<String> prefix) throws IOException {
        this.dir = Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("RANDOM\n");
        users.forEach(u -> csv.append(u).append(";\n"));
        Files.writeString(dir.resolve("users.csv"), csv);
        String scenario;
        try (InputStream in = Caller.class.getResourceAsStream("/sipp/drill-call.xml")) {
            scenario = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        Files.writeString(dir.resolve("drill-call.xml"),
                scenario.replace("@T1MS@", Long.toString(finalWithinMillis)), StandardCharsets.ISO_8859_1);
        long calls = Math.max(1, Math.round(rate * seconds));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("sipp", proxyHost + ":" + proxyPort, "-sf", dir.resolve("drill-call.xml").toString(),
                "-inf", dir.resolve("users.csv").toString(), "-i", proxyHost, "-p", Integer.toString(Sh.freePort()),
                "-r", Double.toString(rate), "-rp", "1000", "-m", Long.toString(calls), "-t", "u1", "-nostdin",
                "-timeout", (seconds + finalWithinMillis / 1000 + 60) + "s", "-trace_logs",
                "-log_file", dir.resolve("calls.log").toString(), "-trace_err",
                "-error_file", dir.resolve("errors.log").toString()));
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    }

    /** Waits for SIPp to finish its calls (bounded) and returns how each ended. */
    List<Call> await(long seconds) throws IOException, InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        List<Call> calls = new ArrayList<>();
        Path log = dir.resolve("calls.log");
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                int i = line.indexOf("END ");
                if (i >= 0) {
                    String[] f = line.substring(i + 4).strip().split(" ");
                    calls.add(new Call(f[0], f.length > 1 ? f[1] : "?", f.length > 2 ? f[2] : "?", f.length > 3 ? f[3] : "-"));
                }
            }
        }
        return calls;
    }

    /** Calls by "status reason", e.g. {"480 No-Response-From-Device": 97, "404 -": 3}. */
    static Map<String, Integer> tally(List<Call> calls) {
        Map<String, Integer> m = new HashMap<>();
        calls.forEach(c -> m.merge(c.status() + " " + c.reason(), 1, Integer::sum));
        return m;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
