package org.opensipis.drills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The push provider: a fake of Acrobits' PNM JSON gateway ({@code POST /pnm2/send}, answer
 * {@code {"code":200}}) on a loopback port, which a drill can make fail with HTTP 503.
 * Counts what reached it; remembers the Call-IDs of incoming-call pushes it accepted.
 */
final class PnmFake implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "drill-pnm");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean failing;
    /** Told of every incoming-call push accepted (the Call-ID). */
    volatile java.util.function.Consumer<String> onPushedCall = id -> { };
    final Set<String> pushedCalls = ConcurrentHashMap.newKeySet();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();

    PnmFake(String address) throws IOException {
        server = HttpServer.create(new InetSocketAddress(address, 0), 256);
        server.setExecutor(pool);
        server.createContext("/pnm2/send", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            int status = 200;
            String answer = "{\"code\":200,\"response\":\"OK\"}";
            if (failing) {
                refused.incrementAndGet();
                status = 503;
                answer = "{\"code\":503,\"response\":\"drill: provider down\"}";
            } else {
                JsonNode n = JSON.readTree(body);
                if ("NotifyIncomingCall".equals(n.path("verb").asText()) && n.has("CallId")) {
                    pushedCalls.add(n.get("CallId").asText());
                    onPushedCall.accept(n.get("CallId").asText());
                }
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/pnm2/send";
    }

    void failing(boolean on) {
        failing = on;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
