package org.opensipis.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion (bounded) and returns its exit code and output. */
final class Cmd {

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Cmd() {
    }

    static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sipis-cmd", ".out");
        Path err = Files.createTempFile("sipis-cmd", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within 300 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Path deb() {
        String p = System.getProperty("sipis.deb");
        if (p == null) {
            throw new IllegalStateException("run through failsafe: -Dsipis.deb=path/to/sipis.deb is not set");
        }
        return Path.of(p);
    }
}
