package org.opensipis.http.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpReply;

/** Builds the status endpoints over a {@link ServerStatus} and an {@link InstanceView}. */
public final class StatusEndpoints {

    private final ServerStatus status;
    private final InstanceView instances;

    public StatusEndpoints(ServerStatus status, InstanceView instances) {
        this.status = Objects.requireNonNull(status, "status");
        this.instances = Objects.requireNonNull(instances, "instances");
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
        return call -> CompletableFuture.completedFuture(page.render(call));
    }
}
