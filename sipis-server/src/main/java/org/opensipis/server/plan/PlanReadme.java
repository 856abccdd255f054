package org.opensipis.server.plan;

import java.util.List;

/** Renders {@code PLAN.txt}: what goes where, and the commands that apply it. */
final class PlanReadme {

    private PlanReadme() {
    }

    /** The connections the plan needs from PostgreSQL, and what to do when the default is too small. */
    static String database(Planner.Layout layout) {
        PlanRequest req = layout.request();
        int n = layout.processes().size();
        int need = req.databaseConnections(n);
        StringBuilder b = new StringBuilder("\nDatabase: ").append(n).append(" process(es) x (PoolSize ")
                .append(PlanRequest.POOL_SIZE).append(" + 1 LISTEN) = ").append(need).append(" connections");
        if (need > PlanRequest.POSTGRES_DEFAULT_CONNECTIONS) {
            b.append(", more than PostgreSQL's default max_connections = 100 allows (97 after the\n")
                    .append("superuser reserve). Set max_connections = ").append(warnLimit(need))
                    .append(" (or more) in postgresql.conf and restart PostgreSQL,\nor lower Database[PoolSize].\n");
        } else {
            b.append(" (PostgreSQL's default max_connections = 100 is enough).\n");
        }
        b.append("Create the role and database once: sipis db init ").append(req.etcDir()).append("/<a Settings file>\n");
        return b.toString();
    }

    /** What max_connections should be: the plan's need, room for a rolling restart and tools, rounded up. */
    static int warnLimit(int need) {
        int withRoom = need + need / 4 + 10;
        return (withRoom + 49) / 50 * 50;
    }

    static String render(Planner.Layout layout) {
        PlanRequest req = layout.request();
        StringBuilder b = new StringBuilder();
        if (req.single()) {
            b.append("Plan: back to a single SIPIS process (realm \"").append(req.realm())
                    .append("\" kept, instance filtering kept on, one catch-all LB2 backend).\n\n");
        } else {
            b.append("Plan: ").append(req.hosts()).append(" machine(s) x ").append(req.perHost())
                    .append(" SIPIS process(es) = ").append(layout.processes().size()).append(" processes, ")
                    .append(layout.prefixBits()).append(" selector bit(s) each, realm \"").append(req.realm())
                    .append("\".\n\n");
        }
        b.append(String.format("%-8s %-16s %-10s %-22s %-6s %-6s %-6s %-8s %s%n", "machine", "address", "name",
                "file", "sip", "http", "reg", "prefix", "private address"));
        for (PlannedProcess p : layout.processes()) {
            b.append(String.format("%-8d %-16s %-10s %-22s %-6d %-6d %-6d %-8s %s%n", p.host(),
                    layout.hostAddresses().get(p.host()), p.name(), p.settingsFile(), p.sipPort(), p.httpPort(),
                    p.registrationPort(),
                    p.selectorPrefix().isEmpty() ? "(all)" : p.selectorPrefix(), p.privateAddress().orElse("-")));
        }
        String etc = req.etcDir();
        b.append("\nOn ").append(layout.hostAddresses().size() == 1 ? "the machine" : "every machine").append(":\n");
        b.append("  1. systemctl stop sipis\n");
        b.append("  2. Move the old ").append(etc).append("/Settings*.xml away; copy Defaults.xml and this machine's\n")
                .append("     Settings*.xml (table above) to ").append(etc).append("/ (chown root:sipis, chmod 0640:\n")
                .append("     Defaults.xml holds the database password).\n");
        b.append("  3. Copy LoadBalancer2/Settings.xml to ").append(req.lb2File()).append(" (merge it\n")
                .append("     with your Frontend/TLS options; SIPIS reads its Backend section).\n");
        b.append("  4. Use the same ").append(etc).append("/sipis.key on every machine (it decrypts stored passwords).\n");
        b.append("  5. Install nginx/host<N>.conf as /etc/nginx/sites-available/sipis, enable it, reload nginx.\n");
        b.append("  6. sipis check ").append(etc).append("/<each Settings file>\n");
        b.append("  7. systemctl daemon-reload && systemctl restart sipis-lb2 && systemctl start sipis\n")
                .append("     (sipis-lb2 is the packaged LoadBalancer2; with Acrobits' own, restart that instead)\n");
        b.append("  8. curl -s http://127.0.0.1:<http>/health/ready for each process: 200 once it is ready.\n")
                .append("     An external load balancer probes https://<machine>/health/ready (200 while a local\n")
                .append("     process is ready) or one process at https://<machine>/sipis<http>/health/ready.\n");
        b.append("\nThen publish dns.zone and give the apps app-parameters.txt.\n");
        b.append(database(layout));
        if (req.single()) {
            b.append("The single process owns every selector: apps that still use s-X names reach it through the\n")
                    .append("wildcard record until they pick up sipisHostPrefixLength=0.\n");
        }
        if (!req.lockDir().startsWith("/var/run/sipis") && !req.lockDir().startsWith("/run/sipis")
                || !req.logDir().startsWith("/var/log/sipis")) {
            b.append("\nThe packaged sipis@.service may write only /var/log/sipis, /var/lib/sipis and /run/sipis:\n")
                    .append("add ").append(req.lockDir()).append(" and ").append(req.logDir())
                    .append(" with \"systemctl edit sipis@\" (ReadWritePaths=...).\n");
        }
        List<String> files = List.of("Defaults.xml", "Settings*.xml", "LoadBalancer2/Settings.xml", "nginx/",
                "dns.zone", "app-parameters.txt");
        b.append("\nFiles: ").append(String.join(", ", files)).append('\n');
        return b.toString();
    }
}
