package org.opensipis.http.status;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.opensipis.core.abuse.AdmissionStore.Origins;
import org.opensipis.core.abuse.Origin;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;

/**
 * Renders {@code /stats}: Server, Incoming Call Outcomes, Push Test Outcomes and one page of
 * Instances (searchable by selector prefix). Every value is HTML-escaped.
 */
final class StatsPage {

    static final int DEFAULT_SIZE = 100;
    static final int MAX_SIZE = 500;
    private static final int MAX_PREFIX = 64;

    private final ServerStatus status;
    private final InstanceView instances;

    StatsPage(ServerStatus status, InstanceView instances) {
        this.status = status;
        this.instances = instances;
    }

    /** A valid query of the page: the selector prefix, the page number and its size. */
    record Query(String prefix, int page, int size) {
    }

    /** The page without the audit column's data. */
    HttpReply render(HttpCall call) {
        Object q = query(call);
        return q instanceof HttpReply error ? error : render((Query) q, rows((Query) q), Optional.empty());
    }

    /** The instances of the page a query asks for. */
    InstancePage rows(Query q) {
        return instances.page(q.prefix(), (q.page() - 1) * q.size(), q.size());
    }

    /** The parsed query, or a {@code 400} reply. */
    Object query(HttpCall call) {
        String prefix = call.param("prefix").orElse("").trim().toUpperCase(Locale.ROOT);
        if (prefix.length() > MAX_PREFIX || !prefix.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':')) {
            return HttpReply.error(400, "query parameter prefix must be up to " + MAX_PREFIX
                    + " hex digits (a selector prefix), was \"" + abbreviate(prefix) + "\"");
        }
        int size;
        int page;
        try {
            size = Integer.parseInt(call.param("size").orElse(Integer.toString(DEFAULT_SIZE)));
            page = Integer.parseInt(call.param("page").orElse("1"));
        } catch (NumberFormatException e) {
            return HttpReply.error(400, "query parameters page and size must be whole numbers");
        }
        if (size < 1 || size > MAX_SIZE) {
            return HttpReply.error(400, "query parameter size must be 1.." + MAX_SIZE + ", was " + size);
        }
        if (page < 1 || (long) (page - 1) * size > Integer.MAX_VALUE) {
            return HttpReply.error(400, "query parameter page must be 1 or more, was " + page);
        }
        return new Query(prefix, page, size);
    }

    /**
     * Renders the page.
     *
     * @param origins who registered each instance (the audit), empty when the database could not say
     */
    HttpReply render(Query q, InstancePage rows, Optional<Map<String, Origins>> origins) {
        String prefix = q.prefix();
        int page = q.page();
        int size = q.size();
        StringBuilder h = new StringBuilder(8192 + rows.rows().size() * 256);
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SIPIS ")
                .append(esc(status.name())).append(" stats</title>\n<style>body{font-family:sans-serif}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}</style>"
                        + "</head><body>\n");
        server(h);
        outcomes(h);
        pushTests(h);
        instanceTable(h, rows, prefix, page, size, origins);
        h.append("</body></html>\n");
        return HttpReply.of(200, HttpReply.HTML, h.toString());
    }

    private void server(StringBuilder h) {
        h.append("<h1>Server</h1>\n<table>\n");
        row(h, "Name", status.name());
        row(h, "Version", status.versionString() + " (" + status.versionNumber() + ")");
        row(h, "Build", status.build());
        row(h, "Uptime", status.uptime().toSeconds() + " s");
        row(h, "Message loop queue", Long.toString(status.messageLoopQueueSize()));
        row(h, "Owner queues", status.ownerQueueSizes().toString());
        row(h, "Throttle queue", Long.toString(status.throttleQueueDepth()));
        row(h, "Database", (status.databaseAvailable() ? "available" : "UNAVAILABLE")
                + ", write queue " + status.databaseWriteQueue());
        h.append("</table>\n");
    }

    private void outcomes(StringBuilder h) {
        h.append("<h1>Incoming Call Outcomes</h1>\n<table>\n<tr><th>Outcome</th><th>Calls</th></tr>\n");
        for (Map.Entry<String, Long> e : status.incomingCallOutcomes().entrySet()) {
            row(h, e.getKey(), Long.toString(e.getValue()));
        }
        h.append("</table>\n");
    }

    private void pushTests(StringBuilder h) {
        h.append("<h1>Push Test Outcomes</h1>\n");
        for (Map.Entry<String, Map<String, Long>> p : status.pushTestOutcomes().entrySet()) {
            h.append("<h2>").append(esc(p.getKey())).append("</h2>\n<table>\n<tr><th>Outcome</th><th>Tests</th></tr>\n");
            for (Map.Entry<String, Long> e : p.getValue().entrySet()) {
                row(h, e.getKey(), Long.toString(e.getValue()));
            }
            h.append("</table>\n");
        }
    }

    private static void instanceTable(StringBuilder h, InstancePage rows, String prefix, int page, int size,
                                      Optional<Map<String, Origins>> origins) {
        long pages = Math.max(1, (rows.matching() + size - 1) / size);
        h.append("<h1>Instances</h1>\n<form method=\"get\" action=\"\">Selector prefix: "
                + "<input name=\"prefix\" value=\"").append(esc(prefix))
                .append("\"> <input type=\"hidden\" name=\"size\" value=\"").append(size)
                .append("\"><input type=\"submit\" value=\"Search\"></form>\n<p id=\"paging\">")
                .append(rows.matching()).append(" matching; page ").append(page).append(" of ").append(pages);
        if (page > 1) {
            link(h, prefix, page - 1, size, "previous");
        }
        if (page < pages) {
            link(h, prefix, page + 1, size, "next");
        }
        h.append("</p>\n<table>\n<tr><th>Selector</th><th>User Name</th><th>Domain</th><th>Proxy</th><th>Port</th>"
                + "<th>State</th><th>Age</th><th>Notes</th><th>Registered by</th></tr>\n");
        for (InstanceRow r : rows.rows()) {
            h.append("<tr><td>").append(esc(r.selector())).append("</td><td>").append(esc(r.user()))
                    .append("</td><td>").append(esc(r.domain())).append("</td><td>").append(esc(r.proxy()))
                    .append("</td><td>").append(r.port()).append("</td><td>").append(esc(r.state().display()));
            if (!r.reason().isEmpty()) {
                h.append(" (").append(esc(r.reason())).append(')');
            }
            h.append("</td><td>").append(r.ageTicks()).append("</td><td>").append(esc(r.notes()))
                    .append("</td><td>").append(esc(audit(origins, r.selector()))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    /** "created 2026-… from 198.51.100.7 (com.example.app); last 2026-… from …", or why it is unknown. */
    static String audit(Optional<Map<String, Origins>> origins, String selector) {
        if (origins.isEmpty()) {
            return "(database unavailable)";
        }
        Origins o = origins.get().get(selector);
        if (o == null) {
            return "(not recorded)";
        }
        String created = "created " + origin(o.created());
        return o.latest().equals(o.created()) ? created : created + "; last " + origin(o.latest());
    }

    private static String origin(Origin o) {
        return o.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " from " + o.source() + " (" + o.appId() + ")";
    }

    private static void link(StringBuilder h, String prefix, int page, int size, String text) {
        h.append(" <a href=\"?prefix=").append(esc(prefix)).append("&amp;page=").append(page)
                .append("&amp;size=").append(size).append("\">").append(text).append("</a>");
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "…" : s;
    }
}
