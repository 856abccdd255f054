package org.opensipis.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.settings.SettingsLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sipis ctl}: the runtime view and handles of a running process, over its HTTP control
 * API ({@code /control/...}). Reads {@code HttpServer[Address]:[Port]}, the authentication method
 * and the {@code Administrator} credentials from the settings file; prints the JSON answer.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Look at and act on a running sipis process (its /control HTTP API); prints JSON.",
        subcommands = {CtlCommand.Instances.class, CtlCommand.Instance.class, CtlCommand.Registrars.class,
                CtlCommand.LogLevel.class, CtlCommand.Refresh.class, CtlCommand.Disable.class, CtlCommand.Enable.class,
                CtlCommand.Unregister.class, CtlCommand.PushTest.class, CtlReload.class})
final class CtlCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-s", "--settings"}, defaultValue = "/etc/sipis/Settings.xml", paramLabel = "SETTINGS",
            description = "Settings file of the process to talk to (default: ${DEFAULT-VALUE}).")
    Path settings;

    @Option(names = "--url", paramLabel = "URL",
            description = "Talk to this base URL instead of HttpServer[Address]:[Port] (e.g. http://127.0.0.1:5010).")
    URI url;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: instances, instance, registrars,"
                + " log-level, refresh, disable, enable, unregister, push-test or reload");
    }

    /** Sends one request and prints the answer; the exit code follows the HTTP status. */
    int call(String target, String body) {
        Settings s;
        try {
            s = SettingsLoader.load(settings).settings();
        } catch (SettingsException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCodes.CONFIGURATION;
        }
        URI base = url != null ? url : ControlClient.baseOf(s.httpServer());
        ControlClient client = new ControlClient(base, s.administrator(), s.httpServer().authenticationMethod());
        try {
            ControlClient.Reply r = client.send(target, body);
            boolean ok = r.status() == 200;
            (ok ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(pretty(r.body()));
            if (!ok) {
                spec.commandLine().getErr().println("sipis ctl: " + base + target + " answered " + r.status());
            }
            return ok ? ExitCodes.OK : ExitCodes.FAILURE;
        } catch (IOException e) {
            spec.commandLine().getErr().println("sipis ctl: cannot reach " + base + " (HttpServer[Address]:[Port] of "
                    + settings + "): " + e);
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }

    private static String pretty(String body) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(body));
        } catch (IOException e) {
            return body;
        }
    }

    static String q(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    static String selectorBody(String selector) {
        ObjectNode n = JSON.createObjectNode();
        n.put("selector", selector);
        return n.toString();
    }

    @Command(name = "instances", mixinStandardHelpOptions = true, description = "List instances (filtered, paged).")
    static final class Instances implements Callable<Integer> {
        @CommandLine.ParentCommand
        CtlCommand parent;
        @Option(names = "--state", description = "idle, registering, registered, unauthorized, error or off.")
        String state;
        @Option(names = "--registrar", description = "Registrar host (the account's proxy, else its domain).")
        String registrar;
        @Option(names = "--user", description = "SIP user name.")
        String user;
        @Option(names = "--prefix", description = "Selector prefix (hex).")
        String prefix;
        @Option(names = "--page", defaultValue = "1", description = "Page, from 1 (default: ${DEFAULT-VALUE}).")
        int page;
        @Option(names = "--size", defaultValue = "100", description = "Rows per page, 1-500 (default: ${DEFAULT-VALUE}).")
        int size;

        @Override
        public Integer call() {
            StringJoiner j = new StringJoiner("&", "/control/instances?", "");
            if (state != null) {
                j.add("state=" + q(state));
            }
            if (registrar != null) {
                j.add("registrar=" + q(registrar));
            }
            if (user != null) {
                j.add("user=" + q(user));
            }
            if (prefix != null) {
                j.add("prefix=" + q(prefix));
            }
            j.add("page=" + page).add("size=" + size);
            return parent.call(j.toString(), null);
        }
    }

    @Command(name = "instance", mixinStandardHelpOptions = true, description = "One instance in full (no secrets).")
    static final class Instance implements Callable<Integer> {
        @CommandLine.ParentCommand
        CtlCommand parent;
        @Parameters(paramLabel = "SELECTOR")
        String selector;

        @Override
        public Integer call() {
            return parent.call("/control/instance?selector=" + q(selector), null);
        }
    }

    @Command(name = "registrars", mixinStandardHelpOptions = true,
            description = "Per registrar: instances, states, last errors; the throttle's queues and rates.")
    static final class Registrars implements Callable<Integer> {
        @CommandLine.ParentCommand
        CtlCommand parent;

        @Override
        public Integer call() {
            return parent.call("/control/registrars", null);
        }
    }

    @Command(name = "log-level", mixinStandardHelpOptions = true,
            description = "Without arguments: the loggers' levels. With LOGGER LEVEL: set one until the next restart.")
    static final class LogLevel implements Callable<Integer> {
        @CommandLine.ParentCommand
        CtlCommand parent;
        @Parameters(index = "0", arity = "0..1", paramLabel = "LOGGER", description = "e.g. org.opensipis.sip, or ROOT.")
        String logger;
        @Parameters(index = "1", arity = "0..1", paramLabel = "LEVEL",
                description = "error, warn, info, debug, trace, off or inherit.")
        String level;

        @Override
        public Integer call() {
            if (logger == null) {
                return parent.call("/control/log-levels", null);
            }
            if (level == null) {
                throw new CommandLine.ParameterException(parent.spec.commandLine(), "log-level LOGGER needs a LEVEL");
            }
            ObjectNode n = JSON.createObjectNode();
            n.put("logger", logger);
            n.put("level", level);
            return parent.call("/control/log-level", n.toString());
        }
    }

    /** The actions on one instance share this shape. */
    abstract static class Action implements Callable<Integer> {
        @CommandLine.ParentCommand
        CtlCommand parent;
        @Parameters(paramLabel = "SELECTOR")
        String selector;

        abstract String path();

        @Override
        public Integer call() {
            return parent.call("/control/instance/" + path(), selectorBody(selector));
        }
    }

    @Command(name = "refresh", mixinStandardHelpOptions = true, description = "REGISTER now instead of at the refresh timer.")
    static final class Refresh extends Action {
        String path() {
            return "refresh";
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Remove the binding and keep the instance Idle until enable (or a restart).")
    static final class Disable extends Action {
        String path() {
            return "disable";
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Let a disabled instance register again.")
    static final class Enable extends Action {
        String path() {
            return "enable";
        }
    }

    @Command(name = "unregister", mixinStandardHelpOptions = true,
            description = "Remove the binding and delete the instance (as the app's own unregister does).")
    static final class Unregister extends Action {
        String path() {
            return "unregister";
        }
    }

    @Command(name = "push-test", mixinStandardHelpOptions = true,
            description = "Send a test push to every device token of the instance; prints what each provider said.")
    static final class PushTest extends Action {
        String path() {
            return "push-test";
        }
    }
}
