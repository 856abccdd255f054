package org.opensipis.server.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders the files of a {@link Planner.Layout}. */
final class PlanRenderer {

    private static final String XML_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    private final Planner.Layout layout;
    private final PlanRequest req;

    PlanRenderer(Planner.Layout layout) {
        this.layout = layout;
        this.req = layout.request();
    }

    String defaults() {
        // On one machine LB2 reaches every app leg on 127.0.0.1; on several, other machines' LB2s
        // reach it on the machine's address. nginx always reaches HTTP on 127.0.0.1.
        String appLeg = req.hosts() == 1 ? "127.0.0.1" : "0.0.0.0";
        return XML_HEAD
                + "<!-- " + etc("Defaults.xml") + ": shared by every Settings*.xml of this plan. Add what all\n"
                + "     processes share (NotificationServers, TlsServerOptions, ...) here.\n"
                + "     Realm stays pinned so that running apps keep authenticating when names change.\n"
                + "     The app leg listens on " + appLeg + " (LB2 reaches it "
                + (req.hosts() == 1 ? "on this machine" : "from every machine") + "), HTTP on 127.0.0.1 (nginx).\n"
                + "     Holds the database and admin passwords: root:sipis, mode 0640. -->\n"
                + "<Sipis>\n"
                + "  <Server Address=\"" + appLeg + "\" Realm=\"" + attr(req.realm()) + "\""
                + " FilterInstancesAccordingToLoadBalancer2BackendSection=\"Yes\"/>\n"
                + "  <HttpServer Address=\"127.0.0.1\"/>\n"
                + "  <Administrator UserName=\"admin\" Password=\"" + attr(req.adminPassword()) + "\"/>\n"
                + "  <Database OpenString=\"" + attr(req.openString()) + "\"/>\n"
                + (req.lb2File().equals(PlanRequest.DEFAULT_LB2_FILE) ? ""
                        : "  <LoadBalancer2 FileName=\"" + attr(req.lb2File()) + "\"/>\n")
                + "</Sipis>\n";
    }

    String settings(PlannedProcess p) {
        StringBuilder b = new StringBuilder(XML_HEAD);
        b.append("<!-- ").append(etc(p.settingsFile())).append(" on machine ").append(p.host()).append(" (")
                .append(p.hostAddress()).append("); runs as sipis@").append(p.fileStem()).append(" -->\n");
        b.append("<Sipis Defaults=\"").append(attr(etc("Defaults.xml"))).append("\">\n");
        b.append("  <Server Name=\"").append(p.name()).append("\" Port=\"").append(p.sipPort()).append('"');
        p.privateAddress().ifPresent(a -> b.append(" PrivateAddress=\"").append(a).append('"'));
        b.append("/>\n");
        b.append("  <HttpServer Port=\"").append(p.httpPort()).append("\"/>\n");
        b.append("  <Registration Port=\"").append(p.registrationPort()).append("\"/>\n");
        b.append("  <Lock FileName=\"").append(attr(dir(req.lockDir()))).append(p.lockName()).append(".lock\"/>\n");
        b.append("  <Log FileName=\"").append(attr(dir(req.logDir()))).append(p.lockName()).append(".log\"/>\n");
        b.append("</Sipis>\n");
        return b.toString();
    }

    String loadBalancer2() {
        StringBuilder b = new StringBuilder(XML_HEAD);
        b.append("<!-- /etc/acrobits/LoadBalancer2/Settings.xml: the same file on every machine. SIPIS reads\n")
                .append("     its Backend too (FilterInstancesAccordingToLoadBalancer2BackendSection), so it must be\n")
                .append("     present on every SIPIS machine. Sipis[Name] must equal the process's Server[Name]. -->\n");
        b.append("<LoadBalancer2>\n  <Frontend>\n    <Udp Address=\"0:4998\"/>\n    <Tcp Address=\"0:4998\"/>\n")
                .append("    <!-- <Tls Address=\"0:24998\"/> with a DefaultTlsOptions certificate for each s-X name -->\n")
                .append("  </Frontend>\n  <Backend>\n");
        for (PlannedProcess p : layout.processes()) {
            b.append("    <Sipis Name=\"").append(p.name()).append("\" SelectorPrefix=\"").append(p.selectorPrefix())
                    .append("\" Address=\"").append(p.lb2Address()).append("\"/>\n");
        }
        b.append("  </Backend>\n</LoadBalancer2>\n");
        return b.toString();
    }

    String nginx(int host) {
        List<PlannedProcess> local = layout.onHost(host);
        StringBuilder b = new StringBuilder();
        b.append("# /etc/nginx/sites-available/sipis on machine ").append(host).append(" (")
                .append(layout.hostAddresses().get(host)).append("): HTTPS registration for the local SIPIS processes\n");
        b.append("upstream anylocalsipis {\n");
        for (PlannedProcess p : local) {
            b.append("    server 127.0.0.1:").append(p.httpPort()).append(";\n");
        }
        b.append("}\nserver {\n    listen 443 ssl;\n    listen [::]:443 ssl;\n");
        b.append("    server_name ").append(String.join(" ", serverNames(host))).append(";\n");
        b.append("    ssl_certificate_key ").append(req.tlsKey()).append(";\n");
        b.append("    ssl_certificate ").append(req.tlsCert()).append(";\n");
        b.append(FORWARDED_FOR_COMMENT).append(FORWARDED_FOR).append('\n');
        b.append("    location /sipis/register {\n        proxy_pass http://anylocalsipis;\n    }\n\n");
        b.append(READY_PROBE);
        for (PlannedProcess p : local) {
            b.append("\n    location /sipis").append(p.httpPort()).append("/ {\n        proxy_pass http://127.0.0.1:")
                    .append(p.httpPort()).append("/;\n    }\n");
        }
        b.append("}\n");
        return b.toString();
    }

    /**
     * nginx is the edge: the client's address replaces whatever X-Forwarded-For the client sent,
     * so that the per-source limit of {@code /sipis/register} (RegisterLimits[TrustedProxies])
     * counts the app, not nginx, and cannot be dodged with a forged header. Set at server level,
     * every location below inherits it.
     */
    static final String FORWARDED_FOR = "    proxy_set_header X-Forwarded-For $remote_addr;\n";
    static final String FORWARDED_FOR_COMMENT = "\n    # the app's address for SIPIS's per-source limit (RegisterLimits[TrustedProxies])\n";

    /**
     * The machine's readiness for an external load balancer in front of {@code all.<domain>}: 200
     * while at least one local process is ready (a 503 is passed on to the next process; nginx then
     * also rests that process for /sipis/register for {@code fail_timeout}). Each process on its
     * own: {@code /sipis<port>/health/ready}.
     */
    static final String READY_PROBE = "    # an external load balancer's probe: 200 while a local process is ready\n"
            + "    # (one process: /sipis<port>/health/ready)\n"
            + "    location = /health/ready {\n"
            + "        proxy_pass http://anylocalsipis;\n"
            + "        proxy_next_upstream error timeout http_503;\n"
            + "    }\n";

    private List<String> serverNames(int host) {
        List<String> names = new ArrayList<>();
        String d = domain();
        if (layout.appPrefixLength() == 0) {
            names.add(d);
            names.add("all." + d);
            if (req.single()) {
                names.add("*." + d);
            }
            return names;
        }
        names.add("all." + d);
        for (String x : prefixesOfHost(host)) {
            names.add("s-" + x + "." + d);
        }
        return names;
    }

    /** The {@code s-X} labels (X of {@code appPrefixLength} hex digits) whose selectors live on this machine. */
    private List<String> prefixesOfHost(int host) {
        List<String> out = new ArrayList<>();
        int len = layout.appPrefixLength();
        int shift = 4 * len - layout.prefixBits();
        for (int x = 0; x < (1 << (4 * len)); x++) {
            int owner = x >> shift;
            if (owner / req.perHost() == host) {
                out.add(Planner.hex(x, len).toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    String dns() {
        StringBuilder b = new StringBuilder();
        String d = domain();
        b.append("; DNS records for ").append(d).append(" (absolute names; TTL as you like)\n");
        if (layout.appPrefixLength() == 0) {
            b.append("; sipisHostPrefixLength=0: apps reach every process through ").append(d).append('\n');
            record(b, d, layout.hostAddresses().get(0));
            record(b, "all." + d, layout.hostAddresses().get(0));
            if (req.single()) {
                b.append("; apps still configured with a prefix length keep using s-X names: catch them all\n");
                record(b, "*." + d, layout.hostAddresses().get(0));
            }
            return b.toString();
        }
        b.append("; sipisHostPrefixLength=").append(layout.appPrefixLength()).append(": an app uses s-X.").append(d)
                .append(", X = the first ").append(layout.appPrefixLength()).append(" hex digit(s) of its selector\n");
        for (int h = 0; h < layout.hostAddresses().size(); h++) {
            for (String x : prefixesOfHost(h)) {
                record(b, "s-" + x + "." + d, layout.hostAddresses().get(h));
            }
        }
        b.append("; sipisRegServer: HTTPS registration on any machine\n");
        for (String a : layout.hostAddresses()) {
            record(b, "all." + d, a);
        }
        return b.toString();
    }

    private static void record(StringBuilder b, String name, String address) {
        String type = address.contains(":") ? "AAAA" : "A";
        String owner = name + ".";
        b.append(owner).append(" ".repeat(Math.max(1, 32 - owner.length()))).append("IN ").append(type)
                .append(type.length() == 1 ? "    " : " ").append(address).append('\n');
    }

    String appParameters() {
        String d = domain();
        boolean regOnAll = layout.appPrefixLength() > 0;
        return "# App provisioning parameters for this plan\n"
                + "sipisHost=" + d + "\n"
                + "sipisRegServer=" + (regOnAll ? "all." + d : d) + "\n"
                + "sipisHostPrefixLength=" + layout.appPrefixLength() + "\n";
    }

    String readme() {
        return PlanReadme.render(layout);
    }

    private String domain() {
        return req.domain().toLowerCase(Locale.ROOT);
    }

    private static String dir(String d) {
        return d.endsWith("/") ? d : d + "/";
    }

    private String etc(String file) {
        return req.etcDir().endsWith("/") ? req.etcDir() + file : req.etcDir() + "/" + file;
    }

    static String attr(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
