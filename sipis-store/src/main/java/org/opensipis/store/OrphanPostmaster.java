package org.opensipis.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and stops an embedded PostgreSQL left running by a SIPIS process that died without
 * closing its store ({@code kill -9}, OOM killer, power to the JVM only): its postmaster keeps
 * the data directory, and the next start would wait 30 s and fail. The PID comes from
 * {@code postmaster.pid}; it is stopped only if that process is a {@code postgres} whose working
 * directory is this data directory, so an unrelated process that reuses the PID is never touched.
 */
final class OrphanPostmaster {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanPostmaster.class);

    private OrphanPostmaster() {
    }

    /**
     * Stops the orphan of {@code dataDirectory} if there is one: SIGTERM (PostgreSQL's smart
     * shutdown; the dead process's connections are already gone), then SIGQUIT after 15 s.
     *
     * @throws StoreException if it is still running after that
     */
    static void stopIfRunning(Path dataDirectory) {
        Optional<ProcessHandle> orphan = find(dataDirectory);
        if (orphan.isEmpty()) {
            return;
        }
        ProcessHandle p = orphan.get();
        LOG.warn("The embedded PostgreSQL of a previous SIPIS process is still running (pid {}) on {}: stopping it",
                p.pid(), dataDirectory);
        p.destroy();
        if (!waitFor(p, 15)) {
            LOG.warn("PostgreSQL pid {} did not stop within 15 s: sending SIGQUIT", p.pid());
            signal(p, "QUIT");
            if (!waitFor(p, 10)) {
                throw new StoreException("the embedded PostgreSQL of a previous process (pid " + p.pid()
                        + ") still holds Database[EmbeddedDirectory] " + dataDirectory + "; stop it and start again");
            }
        }
        LOG.info("Stopped the embedded PostgreSQL left by a previous process (pid {})", p.pid());
    }

    /** The live postmaster that owns the data directory, if any. */
    static Optional<ProcessHandle> find(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            pid = Long.parseLong(lines.get(0).trim());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (p.isEmpty() || !isPostgresOf(pid, dataDirectory)) {
            return Optional.empty();   // stale file, or the PID now belongs to another process
        }
        return p;
    }

    private static boolean isPostgresOf(long pid, Path dataDirectory) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            String program = cmdline.split("\0", 2)[0];
            if (!program.endsWith("postgres")) {
                return false;
            }
            Path dir = dataDirectory.toRealPath();
            try {
                if (Files.readSymbolicLink(proc.resolve("cwd")).equals(dir)) {
                    return true;   // the postmaster runs in its data directory
                }
            } catch (IOException | SecurityException e) {
                // cwd not readable (another user): fall back to the command line
            }
            return List.of(cmdline.split("\0")).contains(dir.toString());
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean waitFor(ProcessHandle p, int seconds) {
        try {
            p.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !p.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static void signal(ProcessHandle p, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.warn("cannot send SIG{} to pid {}: {}", signal, p.pid(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
