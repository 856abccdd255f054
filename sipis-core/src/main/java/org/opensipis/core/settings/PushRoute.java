package org.opensipis.core.settings;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code <NotificationServers>}: which push provider serves the apps whose app
 * id starts with {@link #appIdPrefix()} ({@code *} or empty = every app). Entries are tried
 * in file order; the first match wins.
 */
public sealed interface PushRoute permits PushRoute.Pnm, PushRoute.Apns, PushRoute.Fcm {

    enum Kind { PNM, APNS, FCM }

    String appIdPrefix();

    boolean premium();

    Kind kind();

    default boolean matches(String appId) {
        String p = appIdPrefix();
        return p.isEmpty() || p.equals("*") || appId.startsWith(p);
    }

    /**
     * Acrobits' {@code <NotificationServer Name Host Port Premium RequiresTls>}: push through
     * the Push Notification Mediator's HTTP JSON gateway. {@code Url} (ours) overrides the
     * gateway address, e.g. for tests; by default it is {@code http(s)://Host:Port/pnm2/send}.
     */
    record Pnm(String appIdPrefix, String host, int port, boolean premium, boolean requiresTls,
               Optional<URI> url) implements PushRoute {
        public Pnm {
            Objects.requireNonNull(appIdPrefix, "appIdPrefix");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(url, "url");
        }

        @Override
        public Kind kind() {
            return Kind.PNM;
        }

        public URI gateway() {
            return url.orElseGet(() -> URI.create((requiresTls ? "https://" : "http://") + host + ":" + port + "/pnm2/send"));
        }
    }

    /**
     * {@code <Apns AppId Topic KeyFile KeyId TeamId CertificateFile CertificatePassword
     * Environment Host Port Premium>}: direct to APNs through Pushy, with token auth
     * ({@code .p8} key) or certificate auth ({@code .p12}).
     */
    record Apns(String appIdPrefix, Optional<String> topic, Optional<Path> keyFile, Optional<String> keyId,
                Optional<String> teamId, Optional<Path> certificateFile, Optional<Secret> certificatePassword,
                boolean production, Optional<String> host, Optional<Integer> port, boolean premium)
            implements PushRoute {
        public Apns {
            Objects.requireNonNull(appIdPrefix, "appIdPrefix");
        }

        @Override
        public Kind kind() {
            return Kind.APNS;
        }

        public boolean tokenAuth() {
            return keyFile.isPresent();
        }
    }

    /**
     * {@code <Fcm AppId ServiceAccountFile ProjectId Endpoint Premium>}: direct to FCM HTTP v1
     * through Firebase Admin. {@code Endpoint} overrides {@code https://fcm.googleapis.com}.
     */
    record Fcm(String appIdPrefix, Optional<Path> serviceAccountFile, String projectId,
               Optional<URI> endpoint, boolean premium) implements PushRoute {
        public Fcm {
            Objects.requireNonNull(appIdPrefix, "appIdPrefix");
            Objects.requireNonNull(projectId, "projectId");
        }

        @Override
        public Kind kind() {
            return Kind.FCM;
        }
    }
}
