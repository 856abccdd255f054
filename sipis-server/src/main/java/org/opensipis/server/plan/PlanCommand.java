package org.opensipis.server.plan;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sipis plan}: writes the files of a multi-process or multi-machine layout (see
 * docs/operate.md), or with {@code --from OLD --to NEW} the moves between two LB2 files. Exit code 0 on
 * success, 1 when a file could not be written, 2 on bad options, 3 when an LB2 file is invalid or leaves a
 * selector with no owner or two.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Plan a layout of several SIPIS processes on one or more machines (or the move back to one):"
                + " Defaults.xml, one Settings*.xml per process, the LoadBalancer2 Settings.xml with the Backend,"
                + " an nginx site per machine, DNS records and app parameters, consistent by construction."
                + " With --from OLD_LB2 --to NEW_LB2: the selector ranges that move between processes, the order of"
                + " reloads (make before break) and a check that every selector has exactly one owner at every step.")
public final class PlanCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "1", description = "machines (default ${DEFAULT-VALUE})")
    private int hosts;

    @Option(names = "--per-host", paramLabel = "M", defaultValue = "1",
            description = "SIPIS processes per machine (default ${DEFAULT-VALUE}); N x M must be a power of two")
    private int perHost;

    @Option(names = "--domain", paramLabel = "D", description = "the apps' sipisHost, e.g. sipis.example.com (required unless --from/--to)")
    private String domain;

    @Option(names = "--db", paramLabel = "OPENSTRING",
            description = "libpq open string shared by all processes, e.g. \"host=db1,db2 dbname=sipis user=sipis password=...\""
                    + " (required unless --from/--to)")
    private String db;

    @Option(names = "--private-net", paramLabel = "NET", description = "private network for Server[PrivateAddress], e.g. 10.x or 10.5")
    private String privateNet;

    @Option(names = "--host-ips", paramLabel = "IP", split = ",",
            description = "the machines' addresses in order (default: the placeholders S0IP, S1IP, ...)")
    private List<String> hostIps = new ArrayList<>();

    @Option(names = "--realm", defaultValue = PlanRequest.DEFAULT_REALM,
            description = "digest realm to pin: your current Server[Realm] or, without one, Server[Name] (default ${DEFAULT-VALUE})")
    private String realm;

    @Option(names = "--etc-dir", defaultValue = PlanRequest.DEFAULT_ETC_DIR, description = "where the settings files go (default ${DEFAULT-VALUE})")
    private String etcDir;

    @Option(names = "--lb2-file", defaultValue = PlanRequest.DEFAULT_LB2_FILE,
            description = "where the LoadBalancer2 Settings.xml lives on the SIPIS machines (default ${DEFAULT-VALUE})")
    private String lb2File;

    @Option(names = "--lock-dir", defaultValue = PlanRequest.DEFAULT_LOCK_DIR,
            description = "directory of the lock files (default ${DEFAULT-VALUE})")
    private String lockDir;

    @Option(names = "--log-dir", defaultValue = PlanRequest.DEFAULT_LOG_DIR,
            description = "directory of the log files (default ${DEFAULT-VALUE})")
    private String logDir;

    @Option(names = "--tls-key", description = "nginx ssl_certificate_key (default /etc/ssl/private/all.D.key)")
    private String tlsKey;

    @Option(names = "--tls-cert", description = "nginx ssl_certificate (default /etc/ssl/certs/all.D.pem)")
    private String tlsCert;

    @Option(names = "--single", description = "plan the move back to a single process (realm and filtering kept, one catch-all backend)")
    private boolean single;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "sipis-plan", description = "output directory (default ${DEFAULT-VALUE})")
    private Path out;

    @Option(names = "--force", description = "overwrite files that already exist in the output directory")
    private boolean force;

    @Option(names = "--from", paramLabel = "OLD_LB2",
            description = "rebalance: the LoadBalancer2 Settings.xml in use now (with --to; writes nothing)")
    private Path from;

    @Option(names = "--to", paramLabel = "NEW_LB2", description = "rebalance: the LoadBalancer2 Settings.xml to move to")
    private Path to;

    public PlanCommand() {
        // picocli fills the fields
    }

    @Override
    public Integer call() {
        if (from != null || to != null) {
            if (from == null || to == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--from and --to go together: sipis plan --from OLD_LB2 --to NEW_LB2");
            }
            return RebalanceCommand.run(from, to, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        if (domain == null || db == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing required option" + (domain == null && db == null ? "s: '--domain=D', '--db=OPENSTRING'"
                            : domain == null ? ": '--domain=D'" : ": '--db=OPENSTRING'"));
        }
        PlanRequest req = new PlanRequest(hosts, perHost, domain, db, Optional.ofNullable(privateNet), hostIps, realm,
                etcDir, single, tlsKey == null ? PlanRequest.defaultTlsKey(domain) : tlsKey,
                tlsCert == null ? PlanRequest.defaultTlsCert(domain) : tlsCert, lb2File, lockDir, logDir,
                PlanRequest.randomPassword());
        SortedMap<String, String> files;
        try {
            files = Planner.files(req);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        if (!force) {
            List<String> existing = new ArrayList<>();
            for (String name : files.keySet()) {
                if (Files.exists(out.resolve(name))) {
                    existing.add(out.resolve(name).toString());
                }
            }
            if (!existing.isEmpty()) {
                err.println("sipis plan: refusing to overwrite " + String.join(", ", existing) + " (use --force)");
                return 1;
            }
        }
        try {
            PlanFiles.write(out, files);
        } catch (IOException e) {
            err.println("sipis plan: cannot write " + e.getMessage());
            return 1;
        }
        PrintWriter o = spec.commandLine().getOut();
        o.print(files.get("PLAN.txt"));
        o.println("Wrote " + files.size() + " files to " + out.toAbsolutePath().normalize());
        int processes = (single ? 1 : hosts * perHost);
        int need = req.databaseConnections(processes);
        if (need > PlanRequest.POSTGRES_DEFAULT_CONNECTIONS) {
            err.println("sipis plan: WARNING: " + processes + " processes need " + need + " PostgreSQL connections;"
                    + " raise max_connections to " + PlanReadme.warnLimit(need) + " (see PLAN.txt)");
            err.flush();
        }
        o.flush();
        return 0;
    }
}
