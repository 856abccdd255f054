package org.opensipis.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.settings.LogSettings;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.server.Configuration;
import org.opensipis.push.ProviderChange;
import org.opensipis.push.PushDispatcher;
import org.opensipis.server.logging.Logging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code sipis run} does on SIGHUP ({@code systemctl reload sipis@…}): reads the settings
 * file and its Defaults chain again and applies {@code <Log>} (level, stdio, file, rotation,
 * JSON, {@code ConfigFile}) or the operator's logback.xml, and {@code <NotificationServers>}:
 * changed entries, and entries whose credential files (APNs key or certificate, FCM service
 * account) now have other contents, get new push clients, built before anything changes and
 * swapped in atomically; the old clients close after their pushes in flight. Every other
 * setting needs a restart; a change to one is named in the log. A file with errors, or a push
 * credential that cannot be read, is reported and nothing changes.
 */
final class Reload {

    private static final Logger LOG = LoggerFactory.getLogger(Reload.class);

    private final Path settingsFile;
    private final PushDispatcher push;
    private final LogApplier logApplier;
    /** Applies a new LB2 file (the shard); null: the LB2 file is not re-read. */
    private final java.util.function.Function<Configuration, String> shardReloader;
    private Settings current;
    /** The last applied push change: completes when the clients it replaced are closed. */
    private CompletableFuture<Void> lastPushSwap = CompletableFuture.completedFuture(null);

    /** Applies {@code <Log>}; tests of the push part leave their JVM's logging alone. */
    @FunctionalInterface
    interface LogApplier {
        String apply(LogSettings log) throws IOException;
    }

    /** {@code push} may be null (nothing to reconfigure). */
    Reload(Path settingsFile, Settings current, PushDispatcher push) {
        this(settingsFile, current, push, Logging::configure);
    }

    Reload(Path settingsFile, Settings current, PushDispatcher push, LogApplier logApplier) {
        this(settingsFile, current, push, logApplier, null);
    }

    /** Also re-reads the LB2 file and hands the new shard to {@code shardReloader} ({@code sipis run}). */
    Reload(Path settingsFile, Settings current, PushDispatcher push, LogApplier logApplier,
           java.util.function.Function<Configuration, String> shardReloader) {
        this.shardReloader = shardReloader;
        this.settingsFile = settingsFile;
        this.current = current;
        this.push = push;
        this.logApplier = logApplier;
    }

    /** Runs on the signal thread; serialised so two quick HUPs do not interleave. */
    synchronized void run() {
        LOG.info("reload requested (SIGHUP): reading {}", settingsFile);
        Configuration c;
        try {
            c = Configuration.load(settingsFile);
        } catch (SettingsException e) {
            LOG.error("reload refused, nothing changed: {}", e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.error("reload refused, nothing changed: {}", e.toString());
            return;
        }
        Settings next = c.settings();
        ProviderChange pushChange = null;
        if (push != null) {
            try {
                pushChange = push.prepare(next.notificationServers());
            } catch (RuntimeException e) {
                LOG.error("reload refused, nothing changed (the push clients in use stay): {}", e.getMessage());
                return;
            }
        }
        try {
            String what = logApplier.apply(next.log());
            LOG.info("reload: {}", what);
        } catch (IOException e) {
            if (pushChange != null) {
                pushChange.discard();
            }
            LOG.error("reload: the log configuration was refused, keeping the previous one: {}", e.getMessage());
            return;
        }
        if (pushChange != null) {
            applyPush(pushChange);
        }
        if (shardReloader != null) {
            try {
                LOG.info("reload: LB2 file {}: {}", next.loadBalancer2File(), shardReloader.apply(c));
            } catch (RuntimeException e) {
                LOG.error("reload: the LB2 file {} was not applied: {}", next.loadBalancer2File(), e.toString(), e);
            }
        }
        String restartNeeded = changedOutsideLog(current, next);
        if (push == null && !current.notificationServers().equals(next.notificationServers())) {
            restartNeeded = "NotificationServers" + (restartNeeded.isEmpty() ? "" : ", " + restartNeeded);
        }
        if (!restartNeeded.isEmpty()) {
            LOG.warn("reload: {} changed in {}; these take effect only at the next restart", restartNeeded, settingsFile);
        }
        current = withApplied(current, next.log(), push != null ? next.notificationServers() : current.notificationServers());
    }

    synchronized CompletableFuture<Void> lastPushSwap() {
        return lastPushSwap;
    }

    private void applyPush(ProviderChange change) {
        if (change.isEmpty()) {
            LOG.info("reload: push clients unchanged (NotificationServers and its credential files are the same)");
            return;
        }
        lastPushSwap = push.apply(change);
        for (String line : change.changes()) {
            LOG.info("reload: push {}", line);
        }
    }

    /** The top-level settings other than those a reload applies that differ, comma-separated. */
    static String changedOutsideLog(Settings a, Settings b) {
        StringBuilder sb = new StringBuilder();
        diff(sb, "Server", a.server(), b.server());
        diff(sb, "HttpServer", a.httpServer(), b.httpServer());
        diff(sb, "Administrator", a.administrator(), b.administrator());
        diff(sb, "Database", a.database(), b.database());
        diff(sb, "Lock", a.lock(), b.lock());
        diff(sb, "IgnoredAppIds", a.ignoredAppIds(), b.ignoredAppIds());
        diff(sb, "TlsClientCertificates", a.tlsClientCertificates(), b.tlsClientCertificates());
        diff(sb, "TlsServerOptions", a.tlsServerOptions(), b.tlsServerOptions());
        diff(sb, "TrustedCertificates", a.trustedCertificates(), b.trustedCertificates());
        diff(sb, "Instance", a.instance(), b.instance());
        diff(sb, "IncomingCall", a.incomingCall(), b.incomingCall());
        diff(sb, "IncomingTextMessage", a.incomingTextMessageFilters(), b.incomingTextMessageFilters());
        diff(sb, "PushTest", a.pushTest(), b.pushTest());
        diff(sb, "DataProtection", a.dataProtection(), b.dataProtection());
        diff(sb, "Restart", a.restart(), b.restart());
        diff(sb, "Registration", a.registration(), b.registration());
        diff(sb, "LoadBalancer2", a.loadBalancer2File(), b.loadBalancer2File());
        diff(sb, "RegistrarTargets/RegisterLimits", a.abuse(), b.abuse());
        diff(sb, "Lease", a.lease(), b.lease());
        return sb.toString();
    }

    private static void diff(StringBuilder sb, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            sb.append(sb.length() == 0 ? "" : ", ").append(name);
        }
    }

    private static Settings withApplied(Settings s, LogSettings log, List<PushRoute> notificationServers) {
        return new Settings(s.file(), s.chain(), s.server(), s.httpServer(), s.administrator(), s.database(), s.lock(),
                log, notificationServers, s.ignoredAppIds(), s.tlsClientCertificates(), s.tlsServerOptions(),
                s.trustedCertificates(), s.instance(), s.incomingCall(), s.incomingTextMessageFilters(), s.pushTest(),
                s.dataProtection(), s.restart(), s.registration(), s.loadBalancer2File(), s.abuse(), s.lease());
    }
}
