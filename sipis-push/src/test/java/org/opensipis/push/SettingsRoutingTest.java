package org.opensipis.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.SettingsLoader;
import org.opensipis.push.apns.ApnsProvider;
import org.opensipis.push.apns.MockApns;
import org.opensipis.push.fcm.FcmProvider;
import org.opensipis.push.pnm.PnmProvider;

/** The documented {@code <NotificationServers>} shape, loaded by core, routes to all three providers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SettingsRoutingTest {

    @TempDir
    Path dir;

    @Test
    void appsGoToTheirEntryAndTheRestToPnm() throws Exception {
        try (MockApns apns = new MockApns(dir);
             FakeHttp fcm = new FakeHttp(b -> new FakeHttp.Reply(200, "{\"name\":\"projects/p/messages/1\"}"));
             FakeHttp pnm = new FakeHttp(b -> new FakeHttp.Reply(200, "{\"code\":200,\"response\":\"OK\"}"))) {
            Path file = dir.resolve("Settings.xml");
            Files.writeString(file, "<Sipis>\n"
                    + "  <Server Name=\"push-test\"/>\n"
                    + "  <NotificationServers>\n"
                    + "    <Apns AppId=\"com.example.app\" Topic=\"" + MockApns.BUNDLE + "\" KeyFile=\"" + apns.keyFile
                    + "\" KeyId=\"" + MockApns.KEY_ID + "\" TeamId=\"" + MockApns.TEAM_ID
                    + "\" Environment=\"Development\" Host=\"localhost\" Port=\"" + apns.port + "\"/>\n"
                    + "    <Fcm AppId=\"com.example.app\" ProjectId=\"p\" Endpoint=\"" + fcm.uri("") + "\"/>\n"
                    + "    <NotificationServer Name=\"*\" Host=\"pnm.example\" Url=\"" + pnm.uri("/pnm2/send") + "\"/>\n"
                    + "  </NotificationServers>\n"
                    + "</Sipis>\n");
            Settings settings = SettingsLoader.load(file).settings();
            ProviderFactory tests = route -> {
                switch (route.kind()) {
                    case APNS:
                        return ApnsProvider.builder((PushRoute.Apns) route).trustedServerCertificates(apns.tls.cert)
                                .eventLoopGroup(apns.group).gracefulShutdown(Duration.ofMillis(100)).build();
                    case FCM:
                        return FcmProvider.builder((PushRoute.Fcm) route).staticAccessToken(Secret.of("t")).build();
                    default:
                        return PnmProvider.create((PushRoute.Pnm) route);
                }
            };
            try (PushDispatcher d = PushDispatcher.builder(settings.notificationServers(), new InMemoryInstanceStore(),
                    tests).build()) {
                Instant now = Instant.now();
                DeviceToken ios = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL,
                        "com.example.app", MockApns.GOOD_VOIP, now);
                DeviceToken android = new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.INCOMING_CALL,
                        "com.example.app", "fcm-token", now);
                DeviceToken acrobits = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL,
                        "cz.acrobits.softphone", "pnm-token", now);
                for (DeviceToken t : new DeviceToken[] {ios, android, acrobits}) {
                    PushOutcome o = d.push(PushRequest.builder("ABCD", t, Verb.INCOMING_CALL, now).build()).get();
                    assertThat(o.accepted()).as("push to %s", t).isTrue();
                }
            }
            assertThat(fcm.seen).hasSize(1);
            assertThat(pnm.seen).hasSize(1);
            assertThat(pnm.seen.get(0).body()).contains("\"AppId\":\"cz.acrobits.softphone\"");
        }
    }
}
