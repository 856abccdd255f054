package org.opensipis.http.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.core.metrics.MetricsSink;

/**
 * {@link MetricsSink} over Micrometer: the event counters and the push-latency histogram of
 * {@code /metrics}. Tag values are lower-cased, made of {@code [a-z0-9_]} and clamped to 40
 * characters, so a caller bug cannot explode cardinality or break the naming rules.
 * Thread-safe (Micrometer meters are). Meters and tag words are looked up once and kept (up to
 * {@value #MAX_CACHED} of each; past that they are built per event as before): building a meter
 * id and running the tag regex on every push and call was a measurable share of a call's CPU.
 */
public final class MicrometerMetricsSink implements MetricsSink {

    public static final String REGISTER_SENT = "sipis.register.sent";
    public static final String REGISTER_RESPONSES = "sipis.register.responses";
    public static final String PUSHES = "sipis.pushes";
    public static final String PUSH_LATENCY = "sipis.push.latency";
    public static final String PUSH_TOKENS_REMOVED = "sipis.push.tokens.removed";
    public static final String PUSH_RETRIES = "sipis.push.retries";
    public static final String PUSH_CIRCUITS_OPEN = "sipis.push.circuits.open";
    public static final String INCOMING_CALLS = "sipis.incoming.calls";
    /** The providers whose series exist from the start (0 until something happens). */
    static final String[] PROVIDERS = {"apns", "fcm", "pnm"};

    private final MeterRegistry registry;
    static final int MAX_CACHED = 1024;

    private final Map<String, AtomicInteger> openCircuits = new ConcurrentHashMap<>();
    private final Map<MeterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, String> words = new ConcurrentHashMap<>();

    /** A counter's name and its (already cleaned) tag values. */
    private record MeterKey(String name, String a, String b) {
    }

    public MicrometerMetricsSink(MeterRegistry registry) {
        this.registry = registry;
        for (String p : PROVIDERS) {
            for (String o : new String[] {"accepted", "rejected", "failed"}) {
                pushes(p, o);
            }
            circuits(p);
            tokensRemoved(p);
            retries(p);
        }
    }

    @Override
    public void registerSent() {
        Counter c = counters.get(new MeterKey(REGISTER_SENT, "", ""));
        if (c == null) {
            c = keep(new MeterKey(REGISTER_SENT, "", ""),
                    Counter.builder(REGISTER_SENT).description("REGISTER requests sent").register(registry));
        }
        c.increment();
    }

    @Override
    public void registerResponse(int statusCode) {
        String code = statusCode == 0 ? "timeout" : statusCode >= 100 && statusCode <= 699
                ? Integer.toString(statusCode) : "other";
        MeterKey k = new MeterKey(REGISTER_RESPONSES, code, "");
        Counter c = counters.get(k);
        if (c == null) {
            c = keep(k, Counter.builder(REGISTER_RESPONSES).description("Final REGISTER responses by status code")
                    .tag("code", code).register(registry));
        }
        c.increment();
    }

    @Override
    public void push(String provider, String outcome, Duration latency) {
        String p = cachedWord(provider);
        pushes(p, cachedWord(outcome)).increment();
        Timer t = latencies.get(p);
        if (t == null) {
            t = Timer.builder(PUSH_LATENCY).description("Time from hand-over to the provider's answer")
                    .tag("provider", p).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry);
            if (latencies.size() < MAX_CACHED) {
                latencies.put(p, t);
            }
        }
        t.record(latency.isNegative() ? Duration.ZERO : latency);
    }

    @Override
    public void pushTokenRemoved(String provider) {
        tokensRemoved(word(provider)).increment();
    }

    @Override
    public void pushRetried(String provider) {
        retries(word(provider)).increment();
    }

    @Override
    public void pushCircuit(String provider, boolean open) {
        AtomicInteger n = circuits(word(provider));
        if (open) {
            n.incrementAndGet();
        } else {
            n.updateAndGet(v -> Math.max(0, v - 1));
        }
    }

    @Override
    public void incomingCall(String outcome) {
        String o = outcome == null ? "" : outcome;
        if (o.toLowerCase(Locale.ROOT).startsWith("rejected:")) {
            incomingCallRejected(o.substring("rejected:".length()));
            return;
        }
        incoming(cachedWord(o), "none");
    }

    @Override
    public void incomingCallRejected(String reason) {
        incoming("rejected", cachedWord(reason));
    }

    private void incoming(String outcome, String reason) {
        MeterKey k = new MeterKey(INCOMING_CALLS, outcome, reason);
        Counter c = counters.get(k);
        if (c == null) {
            c = keep(k, Counter.builder(INCOMING_CALLS).description("Incoming calls by outcome (and the reason of a rejection)")
                    .tag("outcome", outcome).tag("reason", reason).register(registry));
        }
        c.increment();
    }

    private Counter pushes(String provider, String outcome) {
        MeterKey k = new MeterKey(PUSHES, provider, outcome);
        Counter c = counters.get(k);
        return c != null ? c : keep(k, Counter.builder(PUSHES)
                .description("Pushes handed to a provider, by provider and final outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry));
    }

    private Counter keep(MeterKey k, Counter c) {
        if (counters.size() < MAX_CACHED) {
            counters.put(k, c);
        }
        return c;
    }

    /** {@link #word} of a value seen before without running the regex again. */
    private String cachedWord(String s) {
        if (s == null) {
            return word(null);
        }
        String w = words.get(s);
        if (w == null) {
            w = word(s);
            if (words.size() < MAX_CACHED) {
                words.put(s, w);
            }
        }
        return w;
    }

    private Counter tokensRemoved(String provider) {
        return Counter.builder(PUSH_TOKENS_REMOVED).description("Dead device tokens removed after a provider's answer")
                .tag("provider", provider).register(registry);
    }

    private Counter retries(String provider) {
        return Counter.builder(PUSH_RETRIES).description("Pushes tried again after a transient failure")
                .tag("provider", provider).register(registry);
    }

    private AtomicInteger circuits(String provider) {
        return openCircuits.computeIfAbsent(provider, p -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder(PUSH_CIRCUITS_OPEN, n, AtomicInteger::get)
                    .description("Push circuit breakers open (1 per NotificationServers entry whose provider fails)")
                    .tag("provider", p).register(registry);
            return n;
        });
    }

    /** A label value: lower case, {@code [a-z0-9_]} (anything else becomes {@code _}), at most 40 characters. */
    static String word(String s) {
        if (s == null || s.isBlank()) {
            return "unknown";
        }
        String w = s.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        return w.length() > 40 ? w.substring(0, 40) : w;
    }
}
