package org.opensipis.push.apns;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.TestCerts;

/**
 * Pushy's MockApnsServer over TLS with token auth (ES256), on a port the OS picks, plus the
 * matching {@code <Apns>} route and a .p8 key file. One event loop is shared by the server
 * and every client so shutdown is quick.
 */
public final class MockApns implements AutoCloseable {

    public static final String BUNDLE = "com.example.app";
    public static final String KEY_ID = "KEYID12345";
    public static final String TEAM_ID = "TEAM123456";
    public static final String GOOD = "a1".repeat(32);
    public static final String GOOD_VOIP = "b2".repeat(32);
    public static final String GONE = "c3".repeat(32);
    public static final String NOT_FOR_TOPIC = "d4".repeat(32);

    public final EventLoopGroup group;
    public final TestCerts tls = new TestCerts();
    public final Path keyFile;
    private final MockApnsServer server;
    public final int port;

    @SuppressWarnings("deprecation")
    public MockApns(Path dir) throws Exception {
        this(dir, null);
    }

    public MockApns(Path dir, PushNotificationHandlerFactory handlers) throws Exception {
        this(dir, handlers, null);
    }

    /**
     * @param handlers what the server answers (null: validates the token auth and accepts
     *                 {@link #GOOD}, {@link #GOOD_VOIP}; {@link #GONE} is unregistered)
     * @param listener told of every notification accepted or rejected (null: none)
     */
    @SuppressWarnings("deprecation")
    public MockApns(Path dir, PushNotificationHandlerFactory handlers, MockApnsServerListener listener) throws Exception {
        group = new NioEventLoopGroup(2);
        KeyPair signing = TestCerts.ecKeyPair();
        keyFile = dir.resolve("AuthKey_" + KEY_ID + ".p8");
        writeP8(keyFile, signing);
        ApnsVerificationKey verify = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) signing.getPublic());
        Set<String> topics = Set.of(BUNDLE, BUNDLE + ".voip");
        MockApnsServerBuilder builder = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {tls.cert}, tls.keyPair.getPrivate(), null)
                .setEventLoopGroup(group)
                .setHandlerFactory(handlers != null ? handlers : new ValidatingPushNotificationHandlerFactory(
                        Map.of(BUNDLE, Set.of(GOOD, GONE), BUNDLE + ".voip", Set.of(GOOD_VOIP)),
                        Map.of(GONE, Instant.now().minusSeconds(60)),
                        Map.of(KEY_ID, verify),
                        Map.of(verify, topics)));
        if (listener != null) {
            builder.setListener(listener);
        }
        server = builder.build();
        port = server.start(0).get();
    }

    private static void writeP8(Path file, KeyPair pair) throws IOException {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(file, pem);
    }

    /** An {@code <Apns AppId="com.example" Topic=BUNDLE KeyFile KeyId TeamId Host Port>} entry. */
    public PushRoute.Apns route(int port) {
        return new PushRoute.Apns("com.example", Optional.of(BUNDLE), Optional.of(keyFile), Optional.of(KEY_ID),
                Optional.of(TEAM_ID), Optional.empty(), Optional.empty(), false, Optional.of("localhost"),
                Optional.of(port), false);
    }

    public ApnsProvider provider(int port) {
        return ApnsProvider.builder(route(port)).trustedServerCertificates(tls.cert).eventLoopGroup(group)
                .gracefulShutdown(Duration.ofMillis(100)).build();
    }

    @Override
    public void close() throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        try {
            server.shutdown().get(10, java.util.concurrent.TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
