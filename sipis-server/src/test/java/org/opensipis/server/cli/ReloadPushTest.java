package org.opensipis.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.push.InMemoryInstanceStore;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.PushPolicy;
import org.opensipis.push.TestCerts;
import org.opensipis.push.apns.ApnsProvider;
import org.opensipis.push.apns.MockApns;
import org.opensipis.server.Configuration;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP's entry point applies {@code <NotificationServers>}: the APNs key file is replaced at
 * the same path (settings unchanged), the mock APNs over TLS accepts only the new key, and the
 * push after the reload is accepted; a broken key file makes the reload refuse, naming the
 * file and setting, and pushes keep working with the previous client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadPushTest {

    @TempDir
    Path dir;
    private final AtomicReference<ApnsVerificationKey> accepted = new AtomicReference<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger reloadLog = (Logger) LoggerFactory.getLogger(Reload.class);
    private final Logger pushLog = (Logger) LoggerFactory.getLogger(PushDispatcher.class);
    private MockApns apns;
    private PushDispatcher dispatcher;

    private PushNotificationHandlerFactory onlyCurrentKey() {
        return session -> (headers, payload) -> {
            ApnsVerificationKey k = accepted.get();
            new ValidatingPushNotificationHandlerFactory(Map.of(MockApns.BUNDLE, Set.of(MockApns.GOOD)), Map.of(),
                    Map.of(MockApns.KEY_ID, k), Map.of(k, Set.of(MockApns.BUNDLE)))
                    .buildHandler(session).handlePushNotification(headers, payload);
        };
    }

    @BeforeEach
    void start() throws Exception {
        apns = new MockApns(dir, onlyCurrentKey());
        logs.start();
        for (Logger l : new Logger[] {reloadLog, pushLog}) {
            l.addAppender(logs);
            l.setLevel(Level.INFO);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Logger l : new Logger[] {reloadLog, pushLog}) {
            l.detachAppender(logs);
            l.setLevel(null);
        }
        if (dispatcher != null) {
            dispatcher.close();
        }
        apns.close();
    }

    private static ApnsVerificationKey writeKey(Path file, KeyPair pair) throws Exception {
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return new ApnsVerificationKey(MockApns.KEY_ID, MockApns.TEAM_ID, (ECPublicKey) pair.getPublic());
    }

    private PushOutcome.Kind push() throws Exception {
        DeviceToken t = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, MockApns.BUNDLE,
                MockApns.GOOD, Instant.now());
        return dispatcher.push(PushRequest.builder("ABCDEF0123456789", t, Verb.PUSH_TEST, Instant.now())
                .deadline(Instant.now().plusSeconds(20)).build()).get(20, TimeUnit.SECONDS).kind();
    }

    private String logged() {
        return String.join("\n", logs.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
    }

    @Test
    void aRenewedKeyFileIsAppliedByTheReloadAndABrokenOneIsRefused() throws Exception {
        accepted.set(writeKey(apns.keyFile, TestCerts.ecKeyPair()));
        Path settingsFile = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"S\"/>"
                + "<NotificationServers><Apns AppId=\"com.example\" Topic=\"" + MockApns.BUNDLE + "\" KeyFile=\""
                + apns.keyFile + "\" KeyId=\"" + MockApns.KEY_ID + "\" TeamId=\"" + MockApns.TEAM_ID
                + "\" Environment=\"Development\" Host=\"localhost\" Port=\"" + apns.port + "\"/></NotificationServers>"
                + "<LoadBalancer2 FileName=\"absent.xml\"/></Sipis>");
        Settings settings = Configuration.load(settingsFile).settings();
        // As SipisServer builds it, but trusting the mock's self-signed certificate.
        dispatcher = PushDispatcher.builder(settings.notificationServers(), new InMemoryInstanceStore(),
                        r -> ApnsProvider.builder((PushRoute.Apns) r).trustedServerCertificates(apns.tls.cert)
                                .eventLoopGroup(apns.group).gracefulShutdown(Duration.ofMillis(100)).build())
                .policy(new PushPolicy(Duration.ofMillis(10), Duration.ofMillis(50), 1, 100, 50, Duration.ofSeconds(30)))
                .build();
        Reload reload = new Reload(settingsFile, settings, dispatcher, log -> "log unchanged (test)");
        assertThat(push()).as("push with key A").isEqualTo(PushOutcome.Kind.ACCEPTED);

        accepted.set(writeKey(apns.keyFile, TestCerts.ecKeyPair()));
        reload.run();
        reload.lastPushSwap().get(10, TimeUnit.SECONDS);
        assertThat(logged()).contains(
                "INFO reload: push entry 1 <Apns AppId=\"com.example\">: contents of KeyFile changed; new client",
                "INFO push: closed the previous <Apns AppId=\"com.example\"> client after its pushes in flight finished");
        assertThat(logged()).doesNotContain("PRIVATE KEY").doesNotContain("restart");
        assertThat(push()).as("push with key B after the reload").isEqualTo(PushOutcome.Kind.ACCEPTED);

        logs.list.clear();
        reload.run();
        assertThat(logged()).contains("INFO reload: push clients unchanged");

        logs.list.clear();
        Files.writeString(apns.keyFile, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
        reload.run();
        assertThat(logged()).contains("ERROR reload refused, nothing changed (the push clients in use stay): "
                + "NotificationServers entry 1: <Apns AppId=\"com.example\">: cannot read the APNs signing key KeyFile="
                + apns.keyFile);
        assertThat(logged()).doesNotContain("broken");
        assertThat(push()).as("the previous client after a refused reload").isEqualTo(PushOutcome.Kind.ACCEPTED);
    }
}
