package org.opensipis.http.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpReply;

/**
 * {@code /health/live} and {@code /health/ready} for load balancers and orchestrators. Public
 * (no selectors, no user names); both answer from cached state and never block.
 */
public final class HealthEndpoints {

    private final ServerStatus status;

    public HealthEndpoints(ServerStatus status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    /** {@code GET /health/live}: 200 while the process can answer HTTP at all. */
    public Endpoint live() {
        return call -> {
            ObjectNode n = HttpReply.mapper().createObjectNode();
            n.put("status", "live");
            n.put("name", status.name());
            n.put("uptimeSeconds", status.uptime().toSeconds());
            return CompletableFuture.completedFuture(HttpReply.json(200, n));
        };
    }

    /**
     * {@code GET /health/ready}: 200 when every part is ready, else 503; the body names each part
     * ({@code {"status":"ready","checks":{"database":{"ok":true,"detail":"…"},…}}}).
     */
    public Endpoint ready() {
        return call -> {
            List<HealthCheck> checks = status.readiness();
            boolean ready = checks.stream().allMatch(HealthCheck::ok);
            ObjectNode n = HttpReply.mapper().createObjectNode();
            n.put("status", ready ? "ready" : "not ready");
            n.put("name", status.name());
            ObjectNode parts = n.putObject("checks");
            for (HealthCheck c : checks) {
                ObjectNode p = parts.putObject(c.name());
                p.put("ok", c.ok());
                p.put("detail", c.detail());
            }
            HttpReply r = HttpReply.json(ready ? 200 : 503, n);
            return CompletableFuture.completedFuture(ready ? r : r.withHeader("Retry-After", "5"));
        };
    }
}
