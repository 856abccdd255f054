package org.opensipis.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The push provider of a drill: a fake of Acrobits' PNM JSON gateway ({@code POST /pnm2/send},
 * answer {@code {"code":200}}) on a loopback port, counting the incoming-call and missed-call
 * pushes it receives per Call-ID.
 */
final class PushCounter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "it-pnm");
        t.setDaemon(true);
        return t;
    });
    /** Call-ID → incoming-call pushes received. */
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** Call-ID → missed-call pushes received. */
    final Map<String, AtomicInteger> missed = new ConcurrentHashMap<>();

    PushCounter() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(pool);
        server.createContext("/pnm2/send", ex -> {
            JsonNode n = JSON.readTree(ex.getRequestBody().readAllBytes());
            String verb = n.path("verb").asText();
            String callId = n.path("CallId").asText("");
            if ("NotifyIncomingCall".equals(verb)) {
                calls.computeIfAbsent(callId, k -> new AtomicInteger()).incrementAndGet();
            } else if ("NotifyIncomingCallMissed".equals(verb)) {
                missed.computeIfAbsent(callId, k -> new AtomicInteger()).incrementAndGet();
            }
            byte[] out = "{\"code\":200,\"response\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/pnm2/send";
    }

    int pushes(String callId) {
        AtomicInteger n = calls.get(callId);
        return n == null ? 0 : n.get();
    }

    int missedPushes(String callId) {
        AtomicInteger n = missed.get(callId);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
