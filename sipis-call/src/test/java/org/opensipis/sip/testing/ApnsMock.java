package org.opensipis.sip.testing;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.apns.ApnsProvider;

/**
 * Pushy's MockApnsServer over TLS with token auth (ES256) on an OS-chosen loopback port,
 * recording every accepted notification (minimal copy of sipis-push's test MockApns).
 */
public final class ApnsMock implements AutoCloseable {

    public static final String BUNDLE = "com.example.app";
    public static final String KEY_ID = "KEYID12345";
    public static final String TEAM_ID = "TEAM123456";
    public static final String ALERT = "a1".repeat(32);
    public static final String VOIP = "b2".repeat(32);

    /** One accepted notification and when the mock got it (System.nanoTime). */
    public record Received(ApnsPushNotification notification, long nanos) {
        public String payload() {
            return notification.getPayload();
        }
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    public volatile Consumer<Received> onReceived = r -> { };
    private final EventLoopGroup group;
    private final X509Certificate cert;
    private final Path keyFile;
    private final MockApnsServer server;
    public final int port;

    @SuppressWarnings("deprecation")
    public ApnsMock(Path dir) throws Exception {
        group = new NioEventLoopGroup(2); // Pushy picks its channel classes from this type
        KeyPair tlsKey = ec();
        cert = selfSigned(tlsKey);
        KeyPair signing = ec();
        keyFile = dir.resolve("AuthKey_" + KEY_ID + ".p8");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(signing.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        ApnsVerificationKey verify = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) signing.getPublic());
        server = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {cert}, tlsKey.getPrivate(), null)
                .setEventLoopGroup(group)
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(
                        Map.of(BUNDLE, Set.of(ALERT), BUNDLE + ".voip", Set.of(VOIP)), Map.of(),
                        Map.of(KEY_ID, verify), Map.of(verify, Set.of(BUNDLE, BUNDLE + ".voip"))))
                .setListener(new ParsingMockApnsServerListenerAdapter() {
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
                })
                .build();
        port = server.start(0).get();
    }

    /** An {@code <Apns AppId="com.example">} route to this mock. */
    public PushRoute.Apns route() {
        return new PushRoute.Apns("com.example", Optional.of(BUNDLE), Optional.of(keyFile), Optional.of(KEY_ID),
                Optional.of(TEAM_ID), Optional.empty(), Optional.empty(), false, Optional.of("localhost"),
                Optional.of(port), false);
    }

    /** A provider trusting the mock's certificate, sharing its event loop. */
    public ApnsProvider provider() {
        return ApnsProvider.builder(route()).trustedServerCertificates(cert).eventLoopGroup(group)
                .gracefulShutdown(Duration.ofMillis(100)).build();
    }

    /** Notifications whose payload carries {@code "type":"<wireVerb>"}. */
    public List<Received> ofType(String wireVerb) {
        return received.stream().filter(r -> r.payload().contains("\"type\":\"" + wireVerb + "\"")).toList();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair kp) throws Exception {
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(2))), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get();
    }
}
