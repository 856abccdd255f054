package org.opensipis.server.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.settings.OpenString;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.settings.SettingsLoader;
import org.opensipis.store.DatabaseSetup;
import org.opensipis.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sipis db}: database chores. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "Database chores: sipis db init SETTINGS.",
        subcommands = {DbCommand.Init.class})
final class DbCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: init");
    }

    /**
     * {@code sipis db init SETTINGS}: creates the role and database that the settings'
     * {@code Database[OpenString]} names (user, password, dbname), as a PostgreSQL superuser:
     * by default through the local socket as the {@code postgres} OS user (Debian's
     * {@code postgresql}; run as root), or over TCP with {@code --superuser}. Idempotent.
     */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create the PostgreSQL role and database that Database[OpenString] of SETTINGS names,",
                "with the rights the schema migrations need (idempotent; sets the role's password again).",
                "Default: psql through the local socket as OS user postgres (run as root on the database machine)."})
    static final class Init implements Callable<Integer> {

        @CommandLine.Parameters(index = "0", paramLabel = "SETTINGS", description = "A Settings*.xml whose Database[OpenString] to set up.")
        Path settingsFile;

        @CommandLine.Option(names = "--superuser", paramLabel = "OPENSTRING",
                description = "Connect over TCP with this libpq open string of a superuser (e.g. \"host=db1 user=postgres password=…\").")
        String superuser;

        @CommandLine.Option(names = "--os-user", paramLabel = "USER", defaultValue = "postgres",
                description = "OS user that runs psql on the local socket (default: ${DEFAULT-VALUE}).")
        String osUser;

        @CommandLine.Option(names = "--print-sql", description = "Only print the psql script (holds the password) for a DBA to run.")
        boolean printSql;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Settings s;
            try {
                s = SettingsLoader.load(settingsFile).settings();
            } catch (SettingsException e) {
                err.println(e.getMessage());
                err.flush();
                return ExitCodes.CONFIGURATION;
            }
            Optional<OpenString> open = s.database().openString();
            if (open.isEmpty()) {
                out.println(settingsFile + ": Database[OpenString] is not set, so the process uses the embedded PostgreSQL"
                        + " in " + s.database().embeddedDirectory() + ", which creates its database itself: nothing to do.");
                out.flush();
                return ExitCodes.OK;
            }
            DatabaseSetup.Target t;
            try {
                t = DatabaseSetup.Target.of(open.get());
            } catch (StoreException e) {
                err.println("sipis: " + settingsFile + ": " + e.getMessage());
                err.flush();
                return ExitCodes.CONFIGURATION;
            }
            if (printSql) {
                out.print(DatabaseSetup.psqlScript(t));
                out.flush();
                return ExitCodes.OK;
            }
            try {
                if (superuser != null) {
                    OpenString su;
                    try {
                        su = OpenString.parse(superuser);
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--superuser: expected " + e.getMessage());
                    }
                    for (String line : DatabaseSetup.apply(su, t)) {
                        out.println(line);
                    }
                } else {
                    psql(open.get(), t);
                }
            } catch (StoreException | IOException e) {
                err.println("sipis: db init: " + e.getMessage());
                err.flush();
                return ExitCodes.FAILURE;
            }
            out.println("OK: role " + t.role() + " and database " + t.database() + " are ready for " + open.get());
            out.flush();
            return ExitCodes.OK;
        }

        private void psql(OpenString open, DatabaseSetup.Target t) throws IOException, InterruptedException {
            for (String h : open.hosts()) {
                String host = h.trim();
                if (!(host.isEmpty() || host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
                    throw new IOException("Database[OpenString] names host " + host + ", which is not this machine's"
                            + " local socket: give --superuser \"host=" + host + " user=postgres password=…\", or run"
                            + " sipis db init on the database machine, or --print-sql for the DBA");
                }
            }
            String port = open.ports().isEmpty() || open.ports().get(0).isBlank() ? "5432" : open.ports().get(0).trim();
            List<String> cmd = new ArrayList<>();
            String me = System.getProperty("user.name");
            if (!me.equals(osUser)) {
                if (!me.equals("root")) {
                    throw new IOException("connecting through the local socket needs root (to run psql as " + osUser
                            + ") or the " + osUser + " user; or give --superuser");
                }
                cmd.addAll(List.of("runuser", "-u", osUser, "--"));
            }
            cmd.addAll(List.of("psql", "-X", "-q", "-p", port, "-d", "postgres"));
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("cannot run " + String.join(" ", cmd) + " (is postgresql-client installed?): " + e.getMessage(), e);
            }
            // the script holds the password: stdin, never the command line
            try (OutputStream in = p.getOutputStream()) {
                in.write(DatabaseSetup.psqlScript(t).getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + output);
            }
        }
    }
}
