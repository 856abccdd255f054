package org.opensipis.push.fcm;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.ErrorCode;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.MessagingErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Date;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.core.settings.Secret;
import org.opensipis.push.PushConfigException;
import org.opensipis.push.PushFields;
import org.opensipis.push.PushProvider;

/**
 * Sends FCM HTTP v1 data messages through Firebase Admin: call and visible verbs with
 * Android priority HIGH, silent renewal and test pushes with NORMAL, each with a TTL
 * (30 s for calls). See docs/push.md.
 */
public final class FcmProvider implements PushProvider {

    private static final Set<ErrorCode> TRANSIENT = Set.of(ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL,
            ErrorCode.UNKNOWN, ErrorCode.DEADLINE_EXCEEDED, ErrorCode.RESOURCE_EXHAUSTED, ErrorCode.ABORTED);

    private final FirebaseApp app;
    private final FirebaseMessaging messaging;
    private final ThreadPoolExecutor executor;

    private final ExecutorService io;

    private FcmProvider(FirebaseApp app, ThreadPoolExecutor executor, ExecutorService io) {
        this.app = app;
        this.messaging = FirebaseMessaging.getInstance(app);
        this.executor = executor;
        this.io = io;
    }

    public static Builder builder(PushRoute.Fcm route) {
        return new Builder(route);
    }

    @Override
    public PushRoute.Kind kind() {
        return PushRoute.Kind.FCM;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushRequest request) {
        Message message = message(request);
        try {
            return CompletableFuture.supplyAsync(() -> sendNow(message), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(PushOutcome.Failed.transientFailure("FCM send queue is full"));
        }
    }

    private PushOutcome sendNow(Message message) {
        try {
            return new PushOutcome.Accepted(messaging.send(message));
        } catch (FirebaseMessagingException e) {
            return outcome(e.getMessagingErrorCode(), e.getErrorCode(), e.getMessage());
        } catch (RuntimeException e) {
            return PushOutcome.Failed.transientFailure("FCM: " + e);
        }
    }

    @SuppressWarnings("deprecation") // Message.Builder.setToken: still the way to address one device in 9.11
    static Message message(PushRequest r) {
        boolean urgent = r.verb() != Verb.ABOUT_TO_EXPIRE_SILENT && r.verb() != Verb.PUSH_TEST;
        AndroidConfig.Builder android = AndroidConfig.builder()
                .setPriority(urgent ? AndroidConfig.Priority.HIGH : AndroidConfig.Priority.NORMAL)
                .setTtl(PushFields.timeToLive(r.verb()).toMillis());
        PushFields.collapseKey(r).ifPresent(android::setCollapseKey);
        Message.Builder m = Message.builder().setToken(r.target().token()).putAllData(PushFields.of(r))
                .setAndroidConfig(android.build());
        if (r.verb().visible()) {
            m.putData("text", PushFields.text(r));
        }
        return m.build();
    }

    static PushOutcome outcome(MessagingErrorCode code, ErrorCode general, String message) {
        String text = message == null ? "" : message;
        if (code == MessagingErrorCode.UNREGISTERED || code == MessagingErrorCode.SENDER_ID_MISMATCH) {
            return PushOutcome.Rejected.deadToken(code.name(), Optional.empty());
        }
        boolean invalidArgument = code == MessagingErrorCode.INVALID_ARGUMENT
                || (code == null && general == ErrorCode.INVALID_ARGUMENT);
        if (invalidArgument && text.toLowerCase(Locale.ROOT).contains("token")) {
            return PushOutcome.Rejected.deadToken("INVALID_ARGUMENT", Optional.empty());
        }
        if (code == MessagingErrorCode.UNAVAILABLE || code == MessagingErrorCode.INTERNAL
                || code == MessagingErrorCode.QUOTA_EXCEEDED || (code == null && TRANSIENT.contains(general))) {
            return PushOutcome.Failed.transientFailure("FCM " + (code != null ? code : general) + ": " + text);
        }
        return PushOutcome.Rejected.of("FCM " + (code != null ? code : general) + ": " + text);
    }

    @Override
    public CompletableFuture<Void> close() {
        executor.shutdown();
        app.delete();
        io.shutdown();
        return CompletableFuture.completedFuture(null);
    }

    /** Builds one provider (one {@code FirebaseApp}) for an {@code <Fcm>} entry. */
    public static final class Builder {
        private final PushRoute.Fcm route;
        private Secret staticAccessToken;
        private int threads = 8;
        private int queue = 10_000;
        private Duration timeout = Duration.ofSeconds(10);

        private Builder(PushRoute.Fcm route) {
            this.route = Objects.requireNonNull(route, "route");
        }

        /** Use this OAuth access token instead of a service account (tests against a local FCM). */
        public Builder staticAccessToken(Secret token) {
            staticAccessToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /** Sending threads and how many sends may wait for one. */
        public Builder threads(int n, int queueCapacity) {
            threads = n;
            queue = queueCapacity;
            return this;
        }

        public Builder timeout(Duration d) {
            timeout = Objects.requireNonNull(d, "timeout");
            return this;
        }

        public FcmProvider build() {
            String where = "<Fcm AppId=\"" + route.appIdPrefix() + "\" ProjectId=\"" + route.projectId() + "\">";
            GoogleCredentials credentials = credentials(where);
            AtomicInteger n = new AtomicInteger();
            String prefix = "sipis-push-fcm-" + route.projectId() + "-";
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(queue), r -> {
                        Thread t = new Thread(r, prefix + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            // HttpClient's own async work must not wait behind blocked senders: separate, small pool.
            AtomicInteger m = new AtomicInteger();
            ExecutorService io = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, prefix + "http-" + m.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            // no JDK connect timeout: it runs on the wall clock; FcmTransport bounds each exchange (HttpDeadline)
            HttpClient http = HttpClient.newBuilder().executor(io).build();
            FirebaseOptions options = FirebaseOptions.builder()
                    .setProjectId(route.projectId())
                    .setCredentials(credentials)
                    .setHttpTransport(new FcmTransport(http, route.endpoint()))
                    .setConnectTimeout((int) timeout.toMillis())
                    .setReadTimeout((int) timeout.toMillis())
                    .build();
            FirebaseApp app = FirebaseApp.initializeApp(options, "sipis-" + route.projectId() + "-" + UUID.randomUUID());
            return new FcmProvider(app, pool, io);
        }

        private GoogleCredentials credentials(String where) {
            if (staticAccessToken != null) {
                return GoogleCredentials.create(new AccessToken(staticAccessToken.reveal(),
                        new Date(Long.MAX_VALUE / 2)));
            }
            if (route.serviceAccountFile().isPresent()) {
                try (InputStream in = Files.newInputStream(route.serviceAccountFile().get())) {
                    return GoogleCredentials.fromStream(in);
                } catch (IOException | RuntimeException e) {
                    throw new PushConfigException(where + ": cannot read ServiceAccountFile="
                            + route.serviceAccountFile().get() + " (" + e.getMessage() + ")", e);
                }
            }
            try {
                return GoogleCredentials.getApplicationDefault();
            } catch (IOException e) {
                throw new PushConfigException(where + ": no ServiceAccountFile and no Google application default "
                        + "credentials (" + e.getMessage() + ")", e);
            }
        }
    }
}
