package org.opensipis.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.settings.SettingsLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sipis ctl reload}: what {@code systemctl reload sipis@…} does, for installations
 * without systemd — sends SIGHUP to the process named in the settings file's
 * {@code Lock[FileName]}, which re-reads {@code <Log>}, {@code <NotificationServers>} and the LB2
 * Backend (with {@code Lease[Enabled]}, moving prefixes make before break). The outcome is in
 * that process's log.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make the running process re-read its settings and LB2 file (SIGHUP to the pid in Lock[FileName]).")
final class CtlReload implements Callable<Integer> {

    @CommandLine.ParentCommand
    CtlCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Settings s;
        try {
            s = SettingsLoader.load(parent.settings).settings();
        } catch (SettingsException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCodes.CONFIGURATION;
        }
        Path lock = s.lock().fileName();
        Optional<Long> pid;
        try {
            pid = pid(Files.readString(lock, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return fail("no process runs with " + parent.settings + ": Lock[FileName] " + lock + " does not exist");
        } catch (IOException e) {
            return fail("cannot read Lock[FileName] " + lock + ": " + e.getMessage());
        }
        if (pid.isEmpty() || ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
            return fail("no process runs with " + parent.settings + ": Lock[FileName] " + lock
                    + " names no live process");
        }
        try {
            Process p = new ProcessBuilder("kill", "-HUP", Long.toString(pid.get())).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                return fail("kill -HUP " + pid.get() + " failed: " + out);
            }
        } catch (IOException e) {
            return fail("cannot signal process " + pid.get() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
        spec.commandLine().getOut().println("sent SIGHUP to process " + pid.get() + " (" + s.server().name()
                + "); its log says what the reload changed");
        return ExitCodes.OK;
    }

    static Optional<Long> pid(String lockFileText) {
        try {
            long pid = Long.parseLong(lockFileText.trim());
            return pid > 1 ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("sipis ctl reload: " + message);
        return ExitCodes.FAILURE;
    }
}
