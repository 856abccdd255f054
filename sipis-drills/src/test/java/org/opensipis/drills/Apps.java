package org.opensipis.drills;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The apps' side of HTTP: posts registrations to {@code /sipis/register} and keeps a ledger
 * of every change a server acknowledged (200), so that a drill can check that none was lost.
 * Instance i is SIP user u{i+1} at the registrar; each change carries a version in the
 * account's display name ("v&lt;n&gt;"), which the store keeps in {@code instances.sip_display_name}.
 */
final class Apps {

    static final String APP_ID = "com.acrobits.drill";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String registrar;
    private final int expires;
    /** selector → highest acknowledged version. */
    final Map<String, Integer> acked = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger otherErrors = new AtomicInteger();
    /** Epoch ms of the most recent 200. */
    final AtomicLong lastOk = new AtomicLong();
    /** Epoch ms of every 200. */
    final java.util.concurrent.ConcurrentSkipListSet<Long> okTimes = new java.util.concurrent.ConcurrentSkipListSet<>();
    private final Semaphore inFlight = new Semaphore(8);

    /** @param registrar the account's proxy "host:port"; @param expires the account's expiry (s) */
    Apps(String registrar, int expires) {
        this.registrar = registrar;
        this.expires = expires;
    }

    static String selector(int i) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(("drill-" + i).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(h) + ":" + String.format("%08X", i);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String user(int i) {
        return "u" + (i + 1);
    }

    private String body(int i, int version) {
        return "{\"selector\":\"" + selector(i) + "\",\"appId\":\"" + APP_ID + "\",\"appSecret\":\"secret" + i
                + "\",\"foreground\":false,\"account\":{\"user\":\"" + user(i) + "\",\"password\":\"" + Registrar.PASSWORD
                + "\",\"domain\":\"" + registrar.substring(0, registrar.lastIndexOf(':')) + "\",\"proxy\":\"" + registrar
                + "\",\"displayName\":\"v" + version + "\",\"expires\":" + expires + "},"
                + "\"tokens\":[{\"platform\":\"PNM\",\"kind\":\"INCOMING_CALL\",\"token\":\"tok" + i + "\"}]}";
    }

    /** Posts a new version of instance i's registration to the HTTP interface at host:port. */
    CompletableFuture<Integer> change(int i, String hostPort) {
        int version = versions.computeIfAbsent(selector(i), s -> new AtomicInteger()).incrementAndGet();
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.completedFuture(-1);
        }
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + hostPort + "/sipis/register"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(i, version))).build();
        return http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).handle((resp, err) -> {
            inFlight.release();
            if (err != null) {
                otherErrors.incrementAndGet();
                return -1;
            }
            int code = resp.statusCode();
            if (code == 200) {
                ok.incrementAndGet();
                long now = System.currentTimeMillis();
                lastOk.set(now);
                okTimes.add(now);
                acked.merge(selector(i), version, Math::max);
            } else if (code == 503) {
                unavailable.incrementAndGet();
            } else {
                otherErrors.incrementAndGet();
            }
            return code;
        });
    }

    /** The first acknowledged change at or after {@code millis}, or −1. */
    long firstOkAfter(long millis) {
        Long t = okTimes.ceiling(millis);
        return t == null ? -1 : t;
    }

    /**
     * Registers instances [from, to) through host:port, 8 at a time. As an app would, one answered
     * 503 is posted again after Retry-After (5 s), up to 5 rounds; fails if one is still not
     * acknowledged. Returns how many answers were 503 (with the database up, they are the
     * "busy reported as down" of the ingest).
     */
    int registerAll(int from, int to, String hostPort) {
        int before = unavailable.get();
        java.util.List<Integer> pending = java.util.stream.IntStream.range(from, to).boxed().toList();
        for (int round = 0; round < 5 && !pending.isEmpty(); round++) {
            java.util.concurrent.Executor when = round == 0 ? Runnable::run
                    : CompletableFuture.delayedExecutor(5, java.util.concurrent.TimeUnit.SECONDS);
            CompletableFuture.runAsync(() -> { }, when).join();
            CompletableFuture<?>[] all = pending.stream().map(i -> change(i, hostPort)).toArray(CompletableFuture<?>[]::new);
            CompletableFuture.allOf(all).join();
            pending = pending.stream().filter(i -> !acked.containsKey(selector(i))).toList();
        }
        for (int i = from; i < to; i++) {
            if (!acked.containsKey(selector(i))) {
                throw new IllegalStateException("registration " + i + " was not acknowledged (ok " + ok + ", 503 "
                        + unavailable + ", other " + otherErrors + ")");
            }
        }
        return unavailable.get() - before;
    }

    /**
     * Acknowledged changes that the database does not hold: compares the ledger with
     * {@code selector|sip_display_name} rows.
     */
    int lost(Pg db) {
        Map<String, Integer> stored = new ConcurrentHashMap<>();
        for (String row : db.sql("SELECT selector, sip_display_name FROM instances").split("\n")) {
            String[] f = row.split("\\|");
            if (f.length == 2 && f[1].startsWith("v")) {
                stored.put(f[0], Integer.parseInt(f[1].substring(1)));
            }
        }
        int lost = 0;
        for (Map.Entry<String, Integer> e : acked.entrySet()) {
            if (stored.getOrDefault(e.getKey(), 0) < e.getValue()) {
                lost++;
            }
        }
        return lost;
    }
}
