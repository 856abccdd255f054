package org.opensipis.push.bench;

import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.push.InMemoryInstanceStore;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.PushPolicy;
import org.opensipis.push.apns.MockApns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes per second and send latency (submit to outcome) through {@link PushDispatcher} to
 * Pushy's MockApnsServer over TLS with token auth, all on loopback. Run with
 * {@code scripts/bench-push.sh [pushes] [inFlight] [connections] [validate]}; by default the
 * mock accepts every push without checking the JWT, so the numbers are about our side.
 */
public final class ApnsPushBench {

    private static final Logger LOG = LoggerFactory.getLogger(ApnsPushBench.class);

    private ApnsPushBench() {
    }

    public static void main(String[] args) throws Exception {
        int pushes = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        boolean validate = args.length > 3 && args[3].equals("validate");
        Path dir = Files.createTempDirectory("sipis-push-bench");
        try (MockApns apns = new MockApns(dir, validate ? null : new AcceptAllPushNotificationHandlerFactory())) {
            InMemoryInstanceStore store = new InMemoryInstanceStore();
            try (PushDispatcher d = PushDispatcher.builder(List.of(apns.route(apns.port)), store,
                    r -> org.opensipis.push.apns.ApnsProvider.builder(apns.route(apns.port))
                            .trustedServerCertificates(apns.tls.cert).eventLoopGroup(apns.group)
                            .concurrentConnections(connections).gracefulShutdown(Duration.ofMillis(100)).build())
                    .policy(new PushPolicy(Duration.ofMillis(10), Duration.ofMillis(100), 3, 100_000, 1000,
                            Duration.ofSeconds(5)))
                    .build()) {
                DeviceToken voip = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL,
                        MockApns.BUNDLE, MockApns.GOOD_VOIP, Instant.now());
                run(d, voip, Math.max(1000, pushes / 10), inFlight); // warm-up
                long[] lat = new long[pushes];
                long start = System.nanoTime();
                int accepted = run(d, voip, pushes, inFlight, lat);
                double secs = (System.nanoTime() - start) / 1e9;
                Arrays.sort(lat);
                String line = String.format(Locale.ROOT,
                        "server=%s pushes=%d inFlight=%d connections=%d accepted=%d time=%.2fs rate=%.0f/s p50=%.2fms p99=%.2fms max=%.2fms",
                        validate ? "validating" : "accept-all", pushes, inFlight, connections, accepted, secs, pushes / secs, lat[pushes / 2] / 1e6,
                        lat[(int) (pushes * 0.99)] / 1e6, lat[pushes - 1] / 1e6);
                LOG.warn("RESULT {}", line);
            }
        }
    }

    private static int run(PushDispatcher d, DeviceToken voip, int n, int inFlight) throws InterruptedException {
        return run(d, voip, n, inFlight, new long[n]);
    }

    private static int run(PushDispatcher d, DeviceToken voip, int n, int inFlight, long[] lat)
            throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        AtomicInteger accepted = new AtomicInteger();
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            window.acquire();
            int idx = i;
            long t = System.nanoTime();
            Instant now = Instant.now();
            PushRequest r = PushRequest.builder("ABCDEF" + i, voip, Verb.INCOMING_CALL, now).callId("call-" + i)
                    .callerName("Bench").deadline(now.plusSeconds(10)).build();
            all[i] = d.push(r).whenComplete((o, e) -> {
                lat[idx] = System.nanoTime() - t;
                if (o != null && o.accepted()) {
                    accepted.incrementAndGet();
                }
                window.release();
            });
        }
        CompletableFuture.allOf(all).join();
        return accepted.get();
    }
}
