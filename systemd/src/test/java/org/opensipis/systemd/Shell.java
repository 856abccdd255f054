package org.opensipis.systemd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion (bounded) and returns its exit code and output. */
final class Shell {

    record Result(int code, String out, String err) {
    }

    private Shell() {
    }

    static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Result run(Path cwd, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(cwd, "out", ".txt");
        Path err = Files.createTempFile(cwd, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within 60 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** Copies a resource of this module ({@code org/opensipis/systemd/NAME}) to a file. */
    static Path resource(String name, Path to) throws IOException {
        try (var in = Shell.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource org/opensipis/systemd/" + name);
            }
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return to;
    }

    static String text(String name) throws IOException {
        try (var in = Shell.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource org/opensipis/systemd/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
