package org.opensipis.drills;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * One real {@code sipis run} process: {@code java -jar sipis-server/target/sipis.jar run
 * Settings<name>.xml}, with its own settings file, HTTP port, lock and log, started and broken
 * (SIGKILL, SIGTERM, SIGSTOP) by the drills.
 */
final class Sipis implements AutoCloseable {

    /** How to start it: the command prefix (e.g. {@code ip netns exec h0}) and environment (libfaketime). */
    record Launch(List<String> prefix, Map<String, String> env) {
        static Launch plain() {
            return new Launch(List.of(), Map.of());
        }
    }

    final String name;
    final Path settings;
    final Path log;
    final String httpHost;
    final int httpPort;
    private final Path dir;
    private final Launch launch;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;

    /** A process of existing settings (e.g. from {@code sipis plan}) whose log is {@code log}. */
    Sipis(Path dir, String name, Path settings, Path log, String httpHost, int httpPort, Launch launch) {
        this.dir = dir;
        this.name = name;
        this.httpHost = httpHost;
        this.httpPort = httpPort;
        this.launch = launch;
        this.settings = settings;
        this.log = log;
    }

    /** Writes Settings{name}.xml in {@code dir} from the given inner XML and the common parts. */
    Sipis(Path dir, String name, String httpHost, int httpPort, String innerXml, Launch launch) throws IOException {
        this(dir, name, dir.resolve("Settings" + name + ".xml"), dir.resolve(name + ".log"), httpHost, httpPort, launch);
        Files.writeString(settings, "<Sipis>\n" + innerXml + "\n  <Lock FileName=\"" + name + ".lock\"/>\n"
                + "  <Log FileName=\"" + name + ".log\" Level=\"Info\"/>\n</Sipis>\n");
    }

    /** Starts the process and waits until its HTTP interface answers /about. */
    Sipis start() throws IOException {
        List<String> cmd = new ArrayList<>(launch.prefix());
        cmd.addAll(List.of(javaBinary(), "-Xms128m", "-Xmx" + (Drill.full() ? "1g" : "384m"), "-XX:+UseSerialGC",
                "-jar", Sh.jar().toString(), "run", settings.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()));
        pb.environment().putAll(launch.env());
        long runningBefore = runningLines();
        process = pb.start();
        starts++;
        Awaitility.await("sipis " + name + " answers /about").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptionsMatching(e -> e instanceof IOException).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("sipis " + name + " exited " + process.exitValue() + ": "
                                + tail(dir.resolve(name + ".out")) + tail(log));
                    }
                    if (!launch.prefix().isEmpty()) { // in a namespace: not reachable from here, read its log
                        return runningLines() > runningBefore;
                    }
                    return get("/about").statusCode() == 200;
                });
        return this;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then wait for the orderly stop (the JVM's shutdown hook closes the server). */
    void term() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("sipis " + name + " did not stop within 60 s of SIGTERM");
        }
    }

    void pause() {
        Sh.signal(process.pid(), "STOP");
    }

    void resume() {
        Sh.signal(process.pid(), "CONT");
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + httpHost + ":" + httpPort + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*\\})?\\s+([-0-9.eE+NaInf]+)$");

    /** /metrics as "name{labels}" → value (labels as printed). */
    Map<String, Double> metrics() {
        Map<String, Double> m = new HashMap<>();
        try {
            for (String line : get("/metrics").body().split("\n")) {
                Matcher x = SAMPLE.matcher(line.strip());
                if (x.matches()) {
                    m.put(x.group(1) + (x.group(2) == null ? "" : x.group(2)), Double.parseDouble(x.group(3)));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m;
    }

    /** Sum of the samples of one metric whose label text contains {@code labelPart}. */
    double metric(String metric, String labelPart) {
        return metrics().entrySet().stream()
                .filter(e -> e.getKey().equals(metric) || e.getKey().startsWith(metric + "{"))
                .filter(e -> e.getKey().contains(labelPart)).mapToDouble(Map.Entry::getValue).sum();
    }

    /** Log lines at the given level ("ERROR", "WARN") in this process's log, across all its runs. */
    List<String> logLines(String level) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            Pattern p = Pattern.compile("^\\S+ " + level + "\\s");
            return lines.filter(l -> p.matcher(l).find()).toList();
        }
    }

    private long runningLines() throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("sipis " + name + " running")).count();
        }
    }

    /** The instance count of the last "restored N instances of &lt;shard&gt;" line (the shard load). */
    String lastRestored() throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("restored ")).reduce((a, b) -> b)
                    .map(l -> l.substring(l.indexOf("restored ")).replaceAll(";.*", "")).orElse("(none)");
        }
    }

    int starts() {
        return starts;
    }

    static String tail(Path file) {
        try {
            List<String> l = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size())) + "\n";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        if (alive()) {
            try {
                resume(); // a paused process cannot stop
            } catch (IllegalStateException e) {
                // it ended meanwhile (a drill deleted its namespace, killing it): nothing to resume,
                // once Java has reaped it
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    throw e;
                }
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
