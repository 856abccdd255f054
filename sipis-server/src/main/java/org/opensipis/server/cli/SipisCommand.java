package org.opensipis.server.cli;

import org.opensipis.core.Version;
import org.opensipis.server.plan.PlanCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sipis}: the top-level command; see the subcommands. */
@Command(name = "sipis", mixinStandardHelpOptions = true, versionProvider = SipisCommand.VersionProvider.class,
        description = "SIP registration keeper with push notifications (SIPIS + LoadBalancer2 compatible).",
        subcommands = {RunCommand.class, CheckCommand.class, KeyCommand.class, PlanCommand.class, Lb2Command.class,
                CtlCommand.class, DbCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:failure while running", "2:bad command line",
                "3:invalid settings, LB2 file or sipis.key", "4:lock file held by another process"})
public final class SipisCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: run, check, key, plan, lb2, ctl, db or help");
    }

    /** Builds the command line with its subcommands and our exit-code conventions. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SipisCommand());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("sipis: " + ex.getMessage());
            return ExitCodes.FAILURE;
        });
        return cl;
    }

    /** Version and build from the build. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Version v = Version.current();
            return new String[] {"sipis " + v.version() + " (build " + v.build() + ", Java " + Runtime.version() + ")"};
        }
    }
}
