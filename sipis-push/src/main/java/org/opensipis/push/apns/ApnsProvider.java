package org.opensipis.push.apns;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.PushConfigException;
import org.opensipis.push.PushProvider;

/**
 * Sends to APNs over HTTP/2 with Pushy. Pushes to a VoIP token (kind {@code INCOMING_CALL})
 * go as {@code apns-push-type: voip} to topic {@code <bundle>.voip} with priority 10 and a
 * 30 s expiration; visible verbs go as alerts, the rest as background pushes. See
 * docs/push.md for the payloads.
 */
public final class ApnsProvider implements PushProvider {

    /** Reasons that mean the token will never work again; the dispatcher removes it. */
    static final Set<String> DEAD_TOKEN_REASONS = Set.of("Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic",
            "ExpiredToken");

    private final ApnsClient client;
    private final ApnsNotifications notifications;
    private final EventLoopGroup ownedGroup;

    private ApnsProvider(ApnsClient client, ApnsNotifications notifications, EventLoopGroup ownedGroup) {
        this.client = client;
        this.notifications = notifications;
        this.ownedGroup = ownedGroup;
    }

    /** Settings for building the client; everything but the route is optional. */
    public static Builder builder(PushRoute.Apns route) {
        return new Builder(route);
    }

    @Override
    public PushRoute.Kind kind() {
        return PushRoute.Kind.APNS;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushRequest request) {
        SimpleApnsPushNotification n = notifications.build(request);
        return client.sendNotification(n).handle((r, e) -> e != null
                ? PushOutcome.Failed.transientFailure("APNs unreachable: " + rootMessage(e))
                : outcome(r));
    }

    static PushOutcome outcome(PushNotificationResponse<?> r) {
        if (r.isAccepted()) {
            return new PushOutcome.Accepted(r.getApnsId() != null ? r.getApnsId().toString() : "");
        }
        int status = r.getStatusCode();
        String reason = r.getRejectionReason().orElse("HTTP " + status);
        if (status == 410 || DEAD_TOKEN_REASONS.contains(reason)) {
            return PushOutcome.Rejected.deadToken(reason, r.getTokenInvalidationTimestamp());
        }
        if (status == 429 || status >= 500) {
            return PushOutcome.Failed.transientFailure("APNs " + status + " " + reason);
        }
        return PushOutcome.Rejected.of(reason);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }

    @Override
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = client.close();
        if (ownedGroup == null) {
            return closed;
        }
        return closed.handle((v, e) -> null).thenCompose(v -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            ownedGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> done.complete(null));
            return done;
        });
    }

    /** Builds one provider (one {@code ApnsClient}) for an {@code <Apns>} entry. */
    public static final class Builder {
        private final PushRoute.Apns route;
        private X509Certificate[] trusted;
        private EventLoopGroup eventLoopGroup;
        private Duration gracefulShutdown = Duration.ofSeconds(5);
        private int connections = 1;

        private Builder(PushRoute.Apns route) {
            this.route = Objects.requireNonNull(route, "route");
        }

        /** Trust these certificates instead of the system's (a test server's self-signed cert). */
        public Builder trustedServerCertificates(X509Certificate... certs) {
            trusted = certs.clone();
            return this;
        }

        /** Share one Netty event loop between clients (tests, benchmarks); the caller closes it. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            eventLoopGroup = group;
            return this;
        }

        public Builder gracefulShutdown(Duration d) {
            gracefulShutdown = Objects.requireNonNull(d, "gracefulShutdown");
            return this;
        }

        public Builder concurrentConnections(int n) {
            connections = n;
            return this;
        }

        @SuppressWarnings("deprecation") // NioEventLoopGroup: Pushy 0.15 picks its channel class from it
        private static EventLoopGroup newEventLoop(String appId) {
            return new NioEventLoopGroup(1, new DefaultThreadFactory("sipis-push-apns-" + appId, true));
        }

        public ApnsProvider build() {
            String where = "<Apns AppId=\"" + route.appIdPrefix() + "\">";
            ApnsClientBuilder b = new ApnsClientBuilder()
                    .setApnsServer(route.host().orElse(route.production() ? ApnsClientBuilder.PRODUCTION_APNS_HOST
                            : ApnsClientBuilder.DEVELOPMENT_APNS_HOST), route.port().orElse(ApnsClientBuilder.DEFAULT_APNS_PORT))
                    .setGracefulShutdownTimeout(gracefulShutdown)
                    .setConcurrentConnections(connections)
                    .setConnectionTimeout(Duration.ofSeconds(10));
            if (trusted != null) {
                b.setTrustedServerCertificateChain(trusted);
            }
            if (route.tokenAuth()) {
                String file = route.keyFile().orElseThrow().toString();
                try {
                    b.setSigningKey(ApnsSigningKey.loadFromPkcs8File(route.keyFile().get().toFile(),
                            route.teamId().orElseThrow(), route.keyId().orElseThrow()));
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    throw new PushConfigException(where + ": cannot read the APNs signing key KeyFile=" + file
                            + " (" + e.getMessage() + ")", e);
                }
            } else {
                String file = route.certificateFile().orElseThrow().toString();
                try {
                    b.setClientCredentials(route.certificateFile().get().toFile(),
                            route.certificatePassword().map(s -> s.reveal()).orElse(""));
                } catch (IOException | RuntimeException e) {
                    throw new PushConfigException(where + ": cannot read the APNs certificate CertificateFile=" + file
                            + " (" + e.getMessage() + "; check CertificatePassword)", e);
                }
            }
            // Our own named event loop unless one is shared (Pushy's default names its threads itself).
            EventLoopGroup owned = eventLoopGroup == null ? newEventLoop(route.appIdPrefix()) : null;
            b.setEventLoopGroup(eventLoopGroup != null ? eventLoopGroup : owned);
            try {
                return new ApnsProvider(b.build(), new ApnsNotifications(route.topic()), owned);
            } catch (IOException | RuntimeException e) {
                if (owned != null) {
                    owned.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                }
                if (e instanceof IOException) {
                    throw new PushConfigException(where + ": cannot set up TLS for APNs: " + e.getMessage(), e);
                }
                throw (RuntimeException) e;
            }
        }
    }
}
