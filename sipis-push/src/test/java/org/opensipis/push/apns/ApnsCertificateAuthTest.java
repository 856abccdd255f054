package org.opensipis.push.apns;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.core.settings.Secret;
import org.opensipis.push.TestCerts;

/** Certificate auth: the client presents a .p12 certificate the mock server trusts (mutual TLS). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApnsCertificateAuthTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("deprecation")
    void pushWithAP12CertificateIsAccepted() throws Exception {
        TestCerts server = new TestCerts();
        TestCerts client = new TestCerts();
        Path p12 = dir.resolve("push.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("push", client.keyPair.getPrivate(), "s3cret".toCharArray(), new Certificate[] {client.cert});
        try (OutputStream out = Files.newOutputStream(p12)) {
            ks.store(out, "s3cret".toCharArray());
        }
        Path clientPem = dir.resolve("client.pem");
        Files.writeString(clientPem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(client.cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");

        NioEventLoopGroup group = new NioEventLoopGroup(1);
        MockApnsServer mock = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {server.cert}, server.keyPair.getPrivate(), null)
                .setTrustedClientCertificateChain(clientPem.toFile())
                .setEventLoopGroup(group)
                .setHandlerFactory(new AcceptAllPushNotificationHandlerFactory())
                .build();
        int port = mock.start(0).get();
        PushRoute.Apns route = new PushRoute.Apns("com.example", Optional.of(MockApns.BUNDLE), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(p12), Optional.of(Secret.of("s3cret")), false,
                Optional.of("localhost"), Optional.of(port), false);
        ApnsProvider provider = ApnsProvider.builder(route).trustedServerCertificates(server.cert)
                .eventLoopGroup(group).gracefulShutdown(Duration.ofMillis(100)).build();
        try {
            DeviceToken t = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, MockApns.BUNDLE,
                    MockApns.GOOD_VOIP, Instant.now());
            PushOutcome o = provider.send(PushRequest.builder("AB", t, Verb.INCOMING_CALL, Instant.now()).build()).get();
            assertThat(o.kind()).isEqualTo(PushOutcome.Kind.ACCEPTED);
        } finally {
            provider.close().get();
            mock.shutdown().get();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get();
        }
    }
}
