package org.opensipis.server;

import java.time.Duration;
import java.util.Locale;
import org.opensipis.core.metrics.MetricsSink;
import org.opensipis.core.push.PushListener;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;

/**
 * Push events to the metrics sink: finished pushes ({@code sipis_pushes_total{provider,outcome}} and
 * the latency histogram), and apart from them removed tokens, retries and circuit breakers. A
 * token removal is not a push: it has its own counter and no latency sample.
 */
final class PushMetrics implements PushListener {

    private final MetricsSink metrics;

    PushMetrics(MetricsSink metrics) {
        this.metrics = metrics;
    }

    @Override
    public void completed(PushRoute.Kind provider, Verb verb, PushOutcome.Kind outcome, Duration latency) {
        metrics.push(name(provider), outcome.name().toLowerCase(Locale.ROOT), latency);
    }

    @Override
    public void tokenRemoved(PushRoute.Kind provider) {
        metrics.pushTokenRemoved(name(provider));
    }

    @Override
    public void retried(PushRoute.Kind provider, Verb verb) {
        metrics.pushRetried(name(provider));
    }

    @Override
    public void circuitChanged(PushRoute.Kind provider, boolean open) {
        metrics.pushCircuit(name(provider), open);
    }

    private static String name(PushRoute.Kind provider) {
        return provider.name().toLowerCase(Locale.ROOT);
    }
}
