package org.opensipis.push;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.core.settings.PushRoute;

/**
 * One NotificationServers entry at run time: its provider (one credential set), circuit
 * breaker and in-flight count. A lane replaced by a reload is <em>retired</em>: it takes no
 * new push, and {@link #drained()} completes when its last in-flight push (with its retries)
 * has finished, so that its client can then be closed without losing a push.
 */
final class Lane {
    final PushRoute route;
    final PushProvider provider;
    final CircuitBreaker breaker;
    final CredentialFiles.Fingerprint fingerprint;
    final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean retired;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    Lane(PushRoute route, PushProvider provider, CircuitBreaker breaker, CredentialFiles.Fingerprint fingerprint) {
        this.route = route;
        this.provider = provider;
        this.breaker = breaker;
        this.fingerprint = fingerprint;
    }

    PushRoute.Kind kind() {
        return route.kind();
    }

    boolean retired() {
        return retired;
    }

    /** A push ended (after its last retry); completes {@link #drained()} for the last one of a retired lane. */
    void release() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            drained.complete(null);
        }
    }

    /** Takes no new push from now on; the future completes when none is in flight any more. */
    CompletableFuture<Void> retire() {
        retired = true;
        if (inFlight.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    /** Closes the provider once, however often called; failures count as closed. */
    CompletableFuture<Void> closeOnce() {
        if (closing.compareAndSet(false, true)) {
            CompletableFuture<Void> f;
            try {
                f = provider.close();
            } catch (RuntimeException e) {
                f = CompletableFuture.completedFuture(null);
            }
            f.whenComplete((v, e) -> closed.complete(null));
        }
        return closed;
    }

    /** {@code <Apns AppId="…">}, for logs. */
    String describe() {
        return describe(route);
    }

    static String describe(PushRoute route) {
        String element = switch (route.kind()) {
            case APNS -> "Apns";
            case FCM -> "Fcm";
            case PNM -> "NotificationServer";
        };
        return "<" + element + " AppId=\"" + route.appIdPrefix() + "\">";
    }
}
