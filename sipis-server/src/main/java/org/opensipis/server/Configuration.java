package org.opensipis.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.settings.SettingsLoader;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.core.xml.Problem;
import org.opensipis.core.xml.Problems;
import org.opensipis.core.xml.Suggest;
import org.opensipis.core.xml.XmlNode;

/**
 * Everything a process learns from its files before it starts: the settings (after the
 * Defaults chain), the LB2 file and from it the shard. Shared by {@code sipis run} and
 * {@code sipis check} so both judge a configuration the same way.
 */
public record Configuration(Settings settings, Optional<Lb2Settings> lb2, Shard shard, List<Problem> warnings,
                            XmlNode mergedTree) {

    /**
     * The longest {@code Registration/ShutdownTimeout} the packaged unit's
     * {@code TimeoutStopSec=30s} allows: the JVM waits ShutdownTimeout + 5 s, and closing the
     * database and the JVM itself needs a few more.
     */
    public static final long MAX_SHUTDOWN_UNDER_UNIT = 20;

    public Configuration {
        warnings = List.copyOf(warnings);
    }

    /** Whether zonky's PostgreSQL binaries for this platform are on the class path. */
    static boolean embeddedAvailable() {
        String arch = System.getProperty("os.arch", "");
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
                && (arch.equals("amd64") || arch.equals("x86_64"))
                && Configuration.class.getClassLoader().getResource("postgres-linux-x86_64.txz") != null;
    }

    public static Configuration load(Path settingsFile) throws SettingsException {
        SettingsLoader.Loaded loaded = SettingsLoader.load(settingsFile);
        Settings s = loaded.settings();
        List<Problem> warnings = new ArrayList<>(loaded.warnings());
        if (s.database().embedded() && !embeddedAvailable()) {
            Problems p = new Problems();
            p.error(s.file(), 0, "Sipis/Database[OpenString]", "is not set, and this installation has no embedded"
                    + " PostgreSQL for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + " (the Debian package ships none; the embedded database is for a source build on Linux x86-64):"
                    + " set OpenString, and create its role and database with \"sipis db init " + settingsFile + "\"");
            throw new SettingsException(settingsFile, p.all());
        }
        Path lb2File = s.loadBalancer2File();
        Optional<Lb2Settings> lb2 = Optional.empty();
        boolean filter = s.server().filterInstances();
        if (Files.exists(lb2File)) {
            Lb2Loader.Loaded l = Lb2Loader.load(lb2File);
            warnings.addAll(l.warnings());
            lb2 = Optional.of(l.settings());
        } else if (filter) {
            Problems p = new Problems();
            p.error(s.file(), 0, "Sipis/Server[FilterInstancesAccordingToLoadBalancer2BackendSection]",
                    "is Yes, but the LoadBalancer2 settings file " + lb2File
                            + " does not exist (set <LoadBalancer2 FileName=\"…\"/> if it lives elsewhere)");
            throw new SettingsException(settingsFile, p.all());
        }
        Shard shard = lb2.map(l -> l.shardOf(s.server().name(), filter)).orElse(Shard.all(s.server().name()));
        if (filter && shard.isEmpty()) {
            String names = String.join(", ", lb2.get().names());
            String hint = Suggest.closest(s.server().name(), lb2.get().names()).map(n -> " Did you mean " + n + "?").orElse("");
            warnings.add(new Problem(Problem.Severity.WARNING, s.file(), 0, "Sipis/Server[Name]",
                    "\"" + s.server().name() + "\" is not the Name of any Backend/Sipis entry in " + lb2File
                            + ", so this process owns no instances and serves only as a registration server."
                            + " Names there: " + (names.isEmpty() ? "(none)" : names) + "." + hint));
        }
        if (filter && loaded.mergedTree().children("server").stream()
                .noneMatch(n -> n.attribute("Realm") != null)) {
            warnings.add(new Problem(Problem.Severity.WARNING, s.file(), 0, "Sipis/Server[Realm]",
                    "is not set, so the digest realm follows Server[Name] (\"" + s.server().name()
                            + "\"); pin Realm so renaming processes never breaks apps' authentication"));
        }
        long shutdown = s.registration().shutdownTimeout().toSeconds();
        if (shutdown > MAX_SHUTDOWN_UNDER_UNIT) {
            warnings.add(new Problem(Problem.Severity.WARNING, s.file(), 0, "Sipis/Registration/ShutdownTimeout",
                    "is " + shutdown + " s, but the packaged sipis@.service stops the process after TimeoutStopSec=30s;"
                            + " add a drop-in (systemctl edit sipis@) with TimeoutStopSec=" + (shutdown + 15) + "s"));
        }
        return new Configuration(s, lb2, shard, warnings, loaded.mergedTree());
    }
}
