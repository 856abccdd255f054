package org.opensipis.http.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CompletableFuture;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpReply;

/** {@code GET /metrics}: the Prometheus text exposition of the registry. */
public final class MetricsEndpoint {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsEndpoint() {
    }

    public static Endpoint of(PrometheusMeterRegistry registry) {
        return call -> CompletableFuture.completedFuture(HttpReply.of(200, CONTENT_TYPE, registry.scrape()));
    }
}
