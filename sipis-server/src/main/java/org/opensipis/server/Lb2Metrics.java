package org.opensipis.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToLongFunction;
import org.opensipis.lb2.Lb2Stats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small HTTP listener of {@code sipis lb2 --metrics HOST:PORT}: {@code GET /metrics} in the
 * Prometheus text format with the router's counters ({@code sipis_lb2_*}) and the JVM's. The
 * router itself has no HTTP side, so this is all it serves (anything else is 404). One thread.
 */
public final class Lb2Metrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lb2Metrics.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService thread;

    private Lb2Metrics(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /**
     * Binds and serves.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static Lb2Metrics start(InetSocketAddress address, Lb2Stats stats) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bind(registry, stats);
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot listen for metrics on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(Threads.named("sipis-lb2-metrics"));
        server.setExecutor(thread);
        server.createContext("/", ex -> answer(ex, registry));
        server.start();
        LOG.info("LB2 metrics on http://{}:{}/metrics", address.getHostString(), server.getAddress().getPort());
        return new Lb2Metrics(server, thread);
    }

    private static void bind(MeterRegistry registry, Lb2Stats stats) {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        counter(registry, stats, "sipis.lb2.flows", "Flows from apps accepted (TCP/TLS connections, UDP peers)", Lb2Stats::flows);
        FunctionCounter.builder("sipis.lb2.messages", stats, Lb2Stats::messagesToBackend).tag("direction", "to_backend")
                .description("SIP messages relayed").register(registry);
        FunctionCounter.builder("sipis.lb2.messages", stats, Lb2Stats::messagesToApp).tag("direction", "to_app")
                .description("SIP messages relayed").register(registry);
        counter(registry, stats, "sipis.lb2.malformed", "Malformed messages dropped", Lb2Stats::malformed);
        counter(registry, stats, "sipis.lb2.backend.failures", "Messages that could not reach their SIPIS process",
                Lb2Stats::backendFailures);
        counter(registry, stats, "sipis.lb2.no.route", "Messages no Backend entry routes", Lb2Stats::noRoute);
        counter(registry, stats, "sipis.lb2.pings", "Keep-alive pings answered", Lb2Stats::pings);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    private static void counter(MeterRegistry r, Lb2Stats stats, String name, String description, ToLongFunction<Lb2Stats> f) {
        FunctionCounter.builder(name, stats, f::applyAsLong).description(description).register(r);
    }

    private static void answer(HttpExchange ex, PrometheusMeterRegistry registry) throws IOException {
        try (ex) {
            boolean found = ex.getRequestURI().getPath().equals("/metrics");
            boolean get = ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("HEAD");
            int status = !found ? 404 : !get ? 405 : 200;
            String body = status == 200 ? registry.scrape() : "{\"status\":" + status + ",\"error\":\""
                    + (status == 404 ? "only /metrics is served here" : "use GET") + "\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", status == 200 ? CONTENT_TYPE : "application/json; charset=utf-8");
            if (status == 405) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
