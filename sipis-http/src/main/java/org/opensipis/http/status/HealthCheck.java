package org.opensipis.http.status;

import java.util.Objects;

/**
 * One named part of the process's readiness ({@code GET /health/ready}).
 *
 * @param name   stable, snake_case name of the part: {@code database}, {@code shard},
 *               {@code change_notifications}, {@code sip_socket}, {@code app_leg}
 * @param ok     whether that part works now
 * @param detail what an operator should know (why it is not ready), never a secret
 */
public record HealthCheck(String name, boolean ok, String detail) {
    public HealthCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }
}
