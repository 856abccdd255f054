package org.opensipis.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.opensipis.core.crypto.KeyFileException;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.xml.Problem;
import org.opensipis.server.Configuration;
import org.opensipis.server.SipisServer;
import org.opensipis.server.lock.LockFile;
import org.opensipis.server.lock.LockHeldException;
import org.opensipis.server.logging.Logging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sipis run Settings.xml}: the systemd entry point. Loads and checks everything, takes
 * the lock, switches logging to the configured file, starts the server and runs until
 * SIGTERM/SIGINT, then shuts down in order.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run one SIPIS process with the given settings.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @CommandLine.Parameters(index = "0", paramLabel = "SETTINGS", description = "The Settings*.xml of this process.")
    Path settingsFile;

    @CommandLine.Option(names = "--create-key-if-missing",
            description = "Create sipis.key when it does not exist (for a first try or a demo; in production the package creates it).")
    boolean createKey;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Counted down to stop (by the shutdown hook, or by tests). */
    final CountDownLatch stop = new CountDownLatch(1);

    /** Counted down when the process has shut down in order; the shutdown hook waits for it. */
    final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        try {
            return runProcess();
        } finally {
            stopped.countDown();
        }
    }

    private Integer runProcess() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Logging.bootstrap();
        Configuration c;
        try {
            c = Configuration.load(settingsFile);
        } catch (SettingsException e) {
            err.println(e.getMessage());
            err.flush();
            return ExitCodes.CONFIGURATION;
        }
        Settings s = c.settings();
        Path keyFile = s.dataProtection().keyFileName();
        SipisKey key;
        try {
            if (createKey && !Files.exists(keyFile)) {
                KeyCommand.writeNewKey(keyFile, SipisKey.generateRaw());
            }
            key = SipisKey.load(keyFile);
        } catch (KeyFileException e) {
            err.println("sipis: DataProtection[KeyFileName] " + e.getMessage());
            err.flush();
            return ExitCodes.CONFIGURATION;
        }
        LockFile lock;
        try {
            lock = LockFile.acquire(s.lock().fileName(), ProcessHandle.current().pid());
        } catch (LockHeldException e) {
            err.println("sipis: " + e.getMessage());
            err.flush();
            return ExitCodes.LOCKED;
        } catch (IOException e) {
            err.println("sipis: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
        try (lock) {
            String logLine;
            try {
                logLine = Logging.configure(s.log());
            } catch (IOException e) {
                err.println("sipis: " + e.getMessage());
                err.flush();
                return ExitCodes.FAILURE;
            }
            LOG.info("settings {} (Defaults chain {}), lock {} (pid {}), sipis.key id {}", s.file(), s.chain(),
                    lock.file(), ProcessHandle.current().pid(), key.id());
            LOG.info("{}", logLine);
            if (SipisKey.readableByOthers(keyFile)) {
                LOG.warn("DataProtection[KeyFileName] {} is readable by other users; chmod 0640", keyFile);
            }
            for (Problem p : c.warnings()) {
                LOG.warn("{}", p);
            }
            long graceMillis = s.registration().shutdownTimeout().toMillis() + 5_000;
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    // Keep the JVM alive until the components have closed in order.
                    stopped.await(graceMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "sipis-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try (SipisServer server = new SipisServer(c, key)) {
                server.start();
                Reload reload = new Reload(settingsFile, s, server.push(), Logging::configure, server::reloadShard);
                Signals.onHangUp(reload::run);
                LOG.info("sipis {} running (SIGHUP re-reads <Log>, <NotificationServers> and the LB2 Backend)", s.server().name());
                stop.await();
                LOG.info("sipis {} stopping", s.server().name());
            } catch (Exception e) {
                LOG.error("sipis {} failed: {}", s.server().name(), e.toString(), e);
                err.println("sipis: " + s.server().name() + " failed: " + e.getMessage());
                err.flush();
                return ExitCodes.FAILURE;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
            LOG.info("sipis {} stopped", s.server().name());
            return ExitCodes.OK;
        } finally {
            Logging.shutdown();
        }
    }
}
