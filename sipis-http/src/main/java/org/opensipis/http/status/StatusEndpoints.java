package org.opensipis.http.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.abuse.AdmissionStore;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpReply;

/**
 * Builds the status endpoints over a {@link ServerStatus}, an {@link InstanceView} and, for the
 * audit column of {@code /stats}, the store's record of who registered each instance.
 */
public final class StatusEndpoints {

    /** How long /stats waits for the audit of its page before rendering without it. */
    static final long AUDIT_WAIT_MILLIS = 2000;

    private final ServerStatus status;
    private final InstanceView instances;
    private final Optional<AdmissionStore> audit;

    public StatusEndpoints(ServerStatus status, InstanceView instances) {
        this(status, instances, Optional.empty());
    }

    /** @param audit where the origins of the listed instances are read (one query per page) */
    public StatusEndpoints(ServerStatus status, InstanceView instances, Optional<AdmissionStore> audit) {
        this.status = Objects.requireNonNull(status, "status");
        this.instances = Objects.requireNonNull(instances, "instances");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /** {@code GET /about}: name, version, build, uptime, owner queue sizes (JSON). */
    public Endpoint about() {
        return call -> {
            ObjectNode n = HttpReply.mapper().createObjectNode();
            n.put("name", status.name());
            n.put("version", status.versionString());
            n.put("versionNumber", status.versionNumber());
            n.put("build", status.build());
            n.put("uptimeSeconds", status.uptime().toSeconds());
            n.put("messageLoopQueueSize", status.messageLoopQueueSize());
            var queues = n.putArray("ownerQueueSizes");
            status.ownerQueueSizes().forEach(queues::add);
            return CompletableFuture.completedFuture(HttpReply.json(200, n));
        };
    }

    /**
     * {@code GET /stats/summary/json} in the exact shape existing exporters parse
     * (sipis-reference §5).
     */
    public Endpoint summary() {
        return call -> {
            ObjectNode root = HttpReply.mapper().createObjectNode();
            ObjectNode server = root.putObject("Server");
            server.put("Name", status.name());
            server.put("VersionString", status.versionString());
            server.put("VersionNumber", status.versionNumber());
            server.put("Build", status.build());
            server.put("UptimeInSeconds", status.uptime().toSeconds());
            server.put("MessageLoopQueueSize", status.messageLoopQueueSize());
            Map<RegistrationState, Long> counts = instances.countByState();
            ObjectNode instance = root.putObject("Instance");
            long total = 0;
            for (long c : counts.values()) {
                total += c;
            }
            instance.put("Count", total);
            ObjectNode inState = instance.putObject("CountInState");
            for (RegistrationState s : new RegistrationState[] {RegistrationState.IDLE, RegistrationState.REGISTERED,
                    RegistrationState.REGISTERING, RegistrationState.UNAUTHORIZED, RegistrationState.ERROR}) {
                inState.put(s.display(), counts.getOrDefault(s, 0L));
            }
            return CompletableFuture.completedFuture(HttpReply.json(200, root));
        };
    }

    /** {@code GET /stats?prefix=&page=&size=}: the admin HTML page. */
    public Endpoint stats() {
        StatsPage page = new StatsPage(status, instances);
        if (audit.isEmpty()) {
            return call -> CompletableFuture.completedFuture(page.render(call));
        }
        return call -> {
            Object q = page.query(call);
            if (q instanceof HttpReply error) {
                return CompletableFuture.completedFuture(error);
            }
            StatsPage.Query query = (StatsPage.Query) q;
            InstancePage rows = page.rows(query);
            List<String> selectors = rows.rows().stream().map(InstanceRow::selector).toList();
            return audit.get().origins(selectors)
                    .thenApply(Optional::of)
                    .completeOnTimeout(Optional.empty(), AUDIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> Optional.empty())
                    .thenApply(o -> page.render(query, rows, o));
        };
    }
}
