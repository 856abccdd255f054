package org.opensipis.push.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.push.InMemoryInstanceStore;

class PushingLifecycleActionsTest {

    private final FakeClock clock = new FakeClock();
    private final InMemoryInstanceStore store = new InMemoryInstanceStore();
    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final PushService push = r -> {
        steps.add("push " + r.verb() + " to " + r.target().token());
        return CompletableFuture.completedFuture(new PushOutcome.Accepted("x"));
    };
    private final PushingLifecycleActions actions = new PushingLifecycleActions(store, push, s -> {
        steps.add("unregister " + s);
        return CompletableFuture.completedFuture(null);
    }, clock);

    private void instance() {
        Instant now = clock.instant();
        store.put(InMemoryInstanceStore.record("S1", "com.x", now,
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.x", "voip", now),
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, "com.x", "other", now)));
    }

    @Test
    void warningsGoToTheNonVoipToken() {
        instance();
        actions.warn("S1", Verb.ABOUT_TO_EXPIRE_INTRUSIVE, clock.instant());
        assertThat(steps).containsExactly("push ABOUT_TO_EXPIRE_INTRUSIVE to other");
    }

    @Test
    void expiryPushesOffThenUnregistersThenDeletes() {
        instance();
        actions.expire("S1", PlannedAction.Kind.OFF);
        assertThat(steps).containsExactly("push INSTANCE_OFF to other", "unregister S1");
        assertThat(store.deleted).containsExactly("S1");
        assertThat(store.get("S1")).isEmpty();
    }

    @Test
    void anInstanceWithOnlyAVoipTokenIsStillTurnedOff() {
        Instant now = clock.instant();
        store.put(InMemoryInstanceStore.record("S2", "com.x", now,
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.x", "voip", now)));
        actions.expire("S2", PlannedAction.Kind.OFF_NOT_REGISTERED);
        assertThat(steps).containsExactly("unregister S2");
        assertThat(store.deleted).containsExactly("S2");
    }
}
