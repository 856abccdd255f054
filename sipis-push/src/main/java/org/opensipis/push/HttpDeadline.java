package org.opensipis.push;

import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds an HTTP exchange of {@link java.net.http.HttpClient} on the monotonic clock. The JDK 17
 * client's own timeouts ({@code HttpClient.Builder.connectTimeout}, {@code HttpRequest.Builder.timeout})
 * are deadlines on the wall clock ({@code Instant.now()}): when NTP steps the clock forward, every
 * exchange in flight times out at once (a push lost right at the step), and a step back lets a hung
 * exchange hang that much longer. So the push clients set neither, and bound each exchange here
 * ({@link CompletableFuture#orTimeout} counts with {@code System.nanoTime}), cancelling it when
 * the time is up.
 */
public final class HttpDeadline {

    private HttpDeadline() {
    }

    /**
     * {@code exchange}, or an {@link HttpTimeoutException} once {@code timeout} has passed (then
     * the exchange is cancelled, which aborts it).
     */
    public static <T> CompletableFuture<T> within(CompletableFuture<T> exchange, Duration timeout) {
        CompletableFuture<T> bounded = new CompletableFuture<>();
        exchange.whenComplete((v, e) -> {
            if (e != null) {
                bounded.completeExceptionally(e);
            } else {
                bounded.complete(v);
            }
        });
        bounded.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e instanceof TimeoutException) {
                exchange.cancel(true);
            }
        });
        return bounded.exceptionallyCompose(e -> CompletableFuture.failedFuture(e instanceof TimeoutException
                ? new HttpTimeoutException("no answer within " + timeout.toMillis() + " ms") : e));
    }
}
