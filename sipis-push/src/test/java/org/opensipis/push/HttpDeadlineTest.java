package org.opensipis.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.pnm.PnmProvider;

/**
 * HTTP exchanges of the push clients are bounded on the monotonic clock, not by the JDK client's
 * wall-clock timeouts: a gateway that accepts and never answers (a real socket on loopback).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpDeadlineTest {

    private ServerSocket silent;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() throws Exception {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    accepted.add(silent.accept()); // read nothing, answer nothing
                } catch (Exception e) {
                    return;
                }
            }
        }, "silent-gateway");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws Exception {
        silent.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/pnm2/send");
    }

    @Test
    void anExchangeWithoutAnswerFailsAfterTheTimeoutAndIsCancelled() {
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> exchange = client.sendAsync(HttpRequest.newBuilder(uri())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> bounded = HttpDeadline.within(exchange, Duration.ofMillis(300));
        assertThatThrownBy(() -> bounded.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(HttpTimeoutException.class).hasMessageContaining("no answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(290), Duration.ofSeconds(5));
        assertThat(exchange).isCompletedExceptionally(); // cancelled: the JDK aborts the exchange
    }

    @Test
    void aPnmPushToAGatewayThatDoesNotAnswerFailsOnTimeWithoutTheJdksWallClockTimeouts() throws Exception {
        PushRoute.Pnm route = new PushRoute.Pnm("*", "pnm.example", 6552, false, true, Optional.of(uri()));
        PnmProvider pnm = PnmProvider.create(route, Duration.ofMillis(400));
        try {
            DeviceToken d = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.example", "t",
                    java.time.Instant.now());
            PushRequest r = PushRequest.builder("FEDCBA9876543210", d, Verb.INCOMING_CALL, java.time.Instant.now())
                    .callId("c1").build();
            PushOutcome o = pnm.send(r).get(10, TimeUnit.SECONDS);
            assertThat(o).isInstanceOf(PushOutcome.Failed.class);
            assertThat(o.toString()).contains("no answer within 400 ms");
        } finally {
            pnm.close();
        }
    }
}
