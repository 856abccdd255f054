package org.opensipis.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.opensipis.core.crypto.KeyFileException;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.xml.Problem;
import org.opensipis.server.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sipis check Settings.xml}: validates the settings (with their Defaults chain), the
 * LB2 file and sipis.key, and prints the effective settings with secrets masked, and the
 * shard. Exit 0 when the process could start, 3 otherwise.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate settings, the LoadBalancer2 file and sipis.key; print the effective settings and the shard.")
final class CheckCommand implements Callable<Integer> {

    @CommandLine.Parameters(index = "0", paramLabel = "SETTINGS", description = "The Settings*.xml of one process.")
    Path settingsFile;

    @CommandLine.Option(names = "--quiet", description = "Print only problems and the verdict.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Configuration c;
        try {
            c = Configuration.load(settingsFile);
        } catch (SettingsException e) {
            err.println(e.getMessage());
            err.println("FAILED: " + settingsFile + " cannot be used");
            err.flush();
            return ExitCodes.CONFIGURATION;
        }
        Settings s = c.settings();
        String keyLine;
        boolean keyOk = true;
        Path keyFile = s.dataProtection().keyFileName();
        try {
            SipisKey key = SipisKey.load(keyFile);
            keyLine = keyFile + " (key id " + key.id() + ")";
            if (SipisKey.readableByOthers(keyFile)) {
                keyLine += " WARNING: readable by others; chmod 0640 and chown root:sipis";
            }
        } catch (KeyFileException e) {
            keyLine = "ERROR " + e.getMessage();
            keyOk = false;
        }
        if (!quiet) {
            out.println("Settings:   " + s.file() + (s.chain().size() > 1 ? " (Defaults: " + s.chain().subList(1, s.chain().size()) + ")" : ""));
            out.println("Server:     " + s.server().name() + ", realm " + s.server().realm() + ", app leg "
                    + s.server().transport().name().toLowerCase(java.util.Locale.ROOT) + " " + s.server().address() + ":" + s.server().port()
                    + s.server().advertisedAddress().map(a -> ", advertises " + a).orElse(""));
            out.println("HTTP:       " + s.httpServer().address() + ":" + s.httpServer().port() + " (admin auth "
                    + s.httpServer().authenticationMethod().name().toLowerCase(java.util.Locale.ROOT) + ")");
            out.println("Database:   " + s.database().openString().map(Object::toString)
                    .orElse("embedded PostgreSQL, data in " + s.database().embeddedDirectory()));
            out.println("Lock:       " + s.lock().fileName());
            out.println("Log:        " + s.log().fileName() + " (" + s.log().level().name().toLowerCase(java.util.Locale.ROOT) + ")");
            out.println("sipis.key:  " + keyLine);
            out.println("LB2:        " + s.loadBalancer2File() + c.lb2().map(l -> " (" + l.backends().size() + " backend entries)")
                    .orElse(Files.exists(s.loadBalancer2File()) ? "" : " (absent)"));
            out.println("Shard:      " + c.shard());
            out.println();
            out.println("Effective settings (secrets masked):");
            out.print(SettingsPrinter.print(c.mergedTree()));
            out.println();
        }
        List<Problem> warnings = c.warnings();
        for (Problem p : warnings) {
            out.println(p);
        }
        if (!keyOk) {
            err.println(keyLine);
            err.println("FAILED: " + settingsFile + " cannot be used");
            err.flush();
            return ExitCodes.CONFIGURATION;
        }
        out.println("OK: " + settingsFile + (warnings.isEmpty() ? "" : " (" + warnings.size() + " warning" + (warnings.size() == 1 ? ")" : "s)")));
        out.flush();
        return ExitCodes.OK;
    }
}
