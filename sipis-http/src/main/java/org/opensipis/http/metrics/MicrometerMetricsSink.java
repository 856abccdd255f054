package org.opensipis.http.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import org.opensipis.core.metrics.MetricsSink;

/**
 * {@link MetricsSink} over Micrometer: the counters and the push-latency histogram of
 * {@code /metrics}. Tag values are clamped so a caller bug cannot explode cardinality.
 * Thread-safe (Micrometer meters are).
 */
public final class MicrometerMetricsSink implements MetricsSink {

    public static final String REGISTER_SENT = "sipis.register.sent";
    public static final String REGISTER_RESPONSES = "sipis.register.responses";
    public static final String SIP_STRAY_RESPONSES = "sipis.sip.stray.responses";
    public static final String PUSHES = "sipis.pushes";
    public static final String PUSH_LATENCY = "sipis.push.latency";
    public static final String INCOMING_CALLS = "sipis.incoming.calls";

    private final MeterRegistry registry;
    private final Counter registerSent;

    public MicrometerMetricsSink(MeterRegistry registry) {
        this.registry = registry;
        this.registerSent = Counter.builder(REGISTER_SENT).description("REGISTER requests sent").register(registry);
    }

    @Override
    public void registerSent() {
        registerSent.increment();
    }

    @Override
    public void registerResponse(int statusCode) {
        String code = statusCode == 0 ? "timeout" : statusCode >= 100 && statusCode <= 699
                ? Integer.toString(statusCode) : "other";
        Counter.builder(REGISTER_RESPONSES).description("Final REGISTER responses by status code")
                .tag("code", code).register(registry).increment();
    }

    @Override
    public void sipStrayResponse() {
        Counter.builder(SIP_STRAY_RESPONSES).description("SIP responses matching no transaction (RFC 3261 17.1.3)")
                .register(registry).increment();
    }

    @Override
    public void push(String provider, String outcome, Duration latency) {
        String p = word(provider);
        Counter.builder(PUSHES).description("Pushes by provider and outcome")
                .tag("provider", p).tag("outcome", word(outcome)).register(registry).increment();
        Timer.builder(PUSH_LATENCY).description("Time from hand-over to the provider's answer")
                .tag("provider", p).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(latency.isNegative() ? Duration.ZERO : latency);
    }

    @Override
    public void incomingCall(String outcome) {
        Counter.builder(INCOMING_CALLS).description("Incoming calls by outcome")
                .tag("outcome", word(outcome)).register(registry).increment();
    }

    private static String word(String s) {
        if (s == null || s.isEmpty()) {
            return "unknown";
        }
        String w = s.toLowerCase(Locale.ROOT);
        return w.length() > 40 ? w.substring(0, 40) : w;
    }
}
