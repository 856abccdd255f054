package org.opensipis.server;

import java.time.Duration;
import java.util.Locale;
import org.opensipis.core.metrics.MetricsSink;
import org.opensipis.core.push.PushListener;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;

/** Push outcomes to the metrics sink ({@code sipis_pushes_total{provider,outcome}}, latency histogram). */
final class PushMetrics implements PushListener {

    private final MetricsSink metrics;

    PushMetrics(MetricsSink metrics) {
        this.metrics = metrics;
    }

    @Override
    public void completed(PushRoute.Kind provider, Verb verb, PushOutcome.Kind outcome, Duration latency) {
        metrics.push(provider.name().toLowerCase(Locale.ROOT), outcome.name().toLowerCase(Locale.ROOT), latency);
    }

    @Override
    public void tokenRemoved(PushRoute.Kind provider) {
        metrics.push(provider.name().toLowerCase(Locale.ROOT), "token-removed", Duration.ZERO);
    }
}
