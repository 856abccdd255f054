package org.opensipis.server.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;

/**
 * The administrator's push test: a {@link Verb#PUSH_TEST} push to every device token of an
 * instance (as stored), and what each provider answered, as one sentence.
 */
public final class PushTester {

    private final InstanceStore store;
    private final PushService push;
    private final Clock clock;

    public PushTester(InstanceStore store, PushService push, Clock clock) {
        this.store = store;
        this.push = push;
        this.clock = clock;
    }

    /** Completes with e.g. {@code "APNS INCOMING_CALL …a1b2c3d4: accepted; FCM OTHER …: rejected (Unregistered)"}. */
    public CompletableFuture<String> test(String selector) {
        return store.find(selector).thenCompose(found -> {
            if (found.isEmpty() || found.get().tokens().isEmpty()) {
                return CompletableFuture.completedFuture("the instance has no device token");
            }
            Instant now = clock.instant();
            List<DeviceToken> tokens = found.get().tokens();
            List<CompletableFuture<String>> each = new ArrayList<>();
            for (DeviceToken t : tokens) {
                PushRequest r = PushRequest.builder(selector, t, Verb.PUSH_TEST, now).deadline(now.plus(Duration.ofSeconds(30)))
                        .build();
                each.add(push.push(r).handle((o, e) -> t.platform() + " " + t.kind() + " "
                        + ProcessControl.tokenEnd(t.token()) + ": " + (e != null ? "failed (" + e + ")" : describe(o))));
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(v -> String.join("; ", each.stream().map(CompletableFuture::join).toList()));
        });
    }

    private static String describe(PushOutcome o) {
        if (o instanceof PushOutcome.Rejected r) {
            return "rejected (" + r.reason() + (r.permanentTokenError() ? ", token removed" : "") + ")";
        }
        if (o instanceof PushOutcome.Failed f) {
            return "failed (" + f.cause() + ", " + f.attempts() + " attempt(s))";
        }
        return "accepted";
    }
}
