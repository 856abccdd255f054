package org.opensipis.push.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link LifecycleActions}: warnings and the Off push go to the instance's
 * non-VoIP token (a VoIP push must report a call on iOS); expiry then asks the SIP side to
 * unregister and finally deletes the instance from the store. Nothing here blocks.
 */
public final class PushingLifecycleActions implements LifecycleActions {

    private static final Logger LOG = LoggerFactory.getLogger(PushingLifecycleActions.class);

    private final InstanceStore store;
    private final PushService push;
    private final Function<String, CompletableFuture<?>> unregister;
    private final Clock clock;

    /**
     * @param unregister turns the instance Off in the SIP module (REGISTER with Expires 0);
     *                   its future completes once that is done or given up
     */
    public PushingLifecycleActions(InstanceStore store, PushService push,
                                   Function<String, CompletableFuture<?>> unregister, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.push = Objects.requireNonNull(push, "push");
        this.unregister = Objects.requireNonNull(unregister, "unregister");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The token for non-call pushes: the newest {@code OTHER} token, else a non-APNs one. */
    static Optional<DeviceToken> tokenFor(InstanceRecord r) {
        Comparator<DeviceToken> newest = Comparator.comparing(DeviceToken::lastSeen);
        Optional<DeviceToken> other = r.tokens().stream().filter(t -> t.kind() == DeviceToken.Kind.OTHER).max(newest);
        return other.isPresent() ? other
                : r.tokens().stream().filter(t -> t.platform() != DeviceToken.Platform.APNS).max(newest);
    }

    private CompletableFuture<?> send(String selector, Verb verb) {
        return store.find(selector).thenCompose(rec -> {
            Optional<DeviceToken> token = rec.flatMap(PushingLifecycleActions::tokenFor);
            if (token.isEmpty()) {
                LOG.info("No token for a {} push to {}", verb, selector);
                return CompletableFuture.completedFuture(null);
            }
            Instant now = clock.instant();
            return push.push(PushRequest.builder(selector, token.get(), verb, now)
                    .deadline(now.plus(Duration.ofMinutes(1))).build());
        });
    }

    @Override
    public void warn(String selector, Verb verb, Instant expiresAt) {
        send(selector, verb).exceptionally(e -> {
            LOG.warn("{} push to {} failed: {}", verb, selector, e.toString());
            return null;
        });
    }

    @Override
    public void expire(String selector, PlannedAction.Kind reason) {
        send(selector, Verb.INSTANCE_OFF)
                .handle((o, e) -> null)
                .thenCompose(x -> unregister.apply(selector).handle((o, e) -> null))
                .thenCompose(x -> store.delete(selector))
                .whenComplete((deleted, e) -> {
                    if (e != null) {
                        LOG.warn("Could not delete expired instance {}: {}", selector, e.toString());
                    } else {
                        LOG.info("Deleted expired instance {} ({})", selector, reason);
                    }
                });
    }
}
