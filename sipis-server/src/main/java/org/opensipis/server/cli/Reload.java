package org.opensipis.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.opensipis.core.settings.LogSettings;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.server.Configuration;
import org.opensipis.server.logging.Logging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code sipis run} does on SIGHUP ({@code systemctl reload sipis@…}): reads the settings
 * file and its Defaults chain again and applies {@code <Log>} (level, stdio, file, rotation,
 * JSON, {@code ConfigFile}) or the operator's logback.xml. Every other setting needs a restart;
 * a change to one is named in the log. A file with errors is reported and nothing changes.
 */
final class Reload {

    private static final Logger LOG = LoggerFactory.getLogger(Reload.class);

    private final Path settingsFile;
    private Settings current;

    Reload(Path settingsFile, Settings current) {
        this.settingsFile = settingsFile;
        this.current = current;
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
        try {
            String what = Logging.configure(next.log());
            LOG.info("reload: {}", what);
        } catch (IOException e) {
            LOG.error("reload: the log configuration was refused, keeping the previous one: {}", e.getMessage());
            return;
        }
        String restartNeeded = changedOutsideLog(current, next);
        if (!restartNeeded.isEmpty()) {
            LOG.warn("reload: {} changed in {}; these take effect only at the next restart", restartNeeded, settingsFile);
        }
        current = withLog(current, next.log());
    }

    /** The top-level settings other than {@code <Log>} that differ, comma-separated. */
    static String changedOutsideLog(Settings a, Settings b) {
        StringBuilder sb = new StringBuilder();
        diff(sb, "Server", a.server(), b.server());
        diff(sb, "HttpServer", a.httpServer(), b.httpServer());
        diff(sb, "Administrator", a.administrator(), b.administrator());
        diff(sb, "Database", a.database(), b.database());
        diff(sb, "Lock", a.lock(), b.lock());
        diff(sb, "NotificationServers", a.notificationServers(), b.notificationServers());
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
        return sb.toString();
    }

    private static void diff(StringBuilder sb, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            sb.append(sb.length() == 0 ? "" : ", ").append(name);
        }
    }

    private static Settings withLog(Settings s, LogSettings log) {
        return new Settings(s.file(), s.chain(), s.server(), s.httpServer(), s.administrator(), s.database(), s.lock(),
                log, s.notificationServers(), s.ignoredAppIds(), s.tlsClientCertificates(), s.tlsServerOptions(),
                s.trustedCertificates(), s.instance(), s.incomingCall(), s.incomingTextMessageFilters(), s.pushTest(),
                s.dataProtection(), s.restart(), s.registration(), s.loadBalancer2File(), s.abuse());
    }
}
