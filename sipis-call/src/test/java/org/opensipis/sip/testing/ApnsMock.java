package org.opensipis.sip.testing;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.apns.ApnsProvider;
import org.opensipis.push.apns.MockApns;

/**
 * Pushy's MockApnsServer over TLS with token auth (ES256) on an OS-chosen loopback port
 * (sipis-push's test {@link MockApns}), recording every accepted notification.
 */
public final class ApnsMock implements AutoCloseable {

    public static final String BUNDLE = MockApns.BUNDLE;
    public static final String KEY_ID = MockApns.KEY_ID;
    public static final String TEAM_ID = MockApns.TEAM_ID;
    public static final String ALERT = MockApns.GOOD;
    public static final String VOIP = MockApns.GOOD_VOIP;

    /** One accepted notification and when the mock got it (System.nanoTime). */
    public record Received(ApnsPushNotification notification, long nanos) {
        public String payload() {
            return notification.getPayload();
        }
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    public volatile Consumer<Received> onReceived = r -> { };
    private final MockApns mock;
    public final int port;

    public ApnsMock(Path dir) throws Exception {
        mock = new MockApns(dir, null, new ParsingMockApnsServerListenerAdapter() {
            @Override
            public void handlePushNotificationAccepted(ApnsPushNotification n) {
                Received r = new Received(n, System.nanoTime());
                received.add(r);
                onReceived.accept(r);
            }

            @Override
            public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason reason,
                                                       Instant expired) {
            }
        });
        port = mock.port;
    }

    /** An {@code <Apns AppId="com.example">} route to this mock. */
    public PushRoute.Apns route() {
        return mock.route(port);
    }

    /** A provider trusting the mock's certificate, sharing its event loop. */
    public ApnsProvider provider() {
        return mock.provider(port);
    }

    /** Notifications whose payload carries {@code "type":"<wireVerb>"}. */
    public List<Received> ofType(String wireVerb) {
        return received.stream().filter(r -> r.payload().contains("\"type\":\"" + wireVerb + "\"")).toList();
    }

    @Override
    public void close() throws Exception {
        mock.close();
    }
}
