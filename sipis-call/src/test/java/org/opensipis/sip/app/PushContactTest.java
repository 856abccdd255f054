package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.sip.message.SipMessage;

/** RFC 8599 push parameters in the app's REGISTER Contact update the device's token. */
class PushContactTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void apnsVoipAndAlertTokensAndFcm() {
        DeviceToken voip = PushContact.of("sip:app@10.0.0.5;pn-provider=apns;pn-prid=00fc13adff78;"
                + "pn-param=ABCD1234.com.example.app.voip", "x", NOW).orElseThrow();
        assertThat(voip.platform()).isEqualTo(DeviceToken.Platform.APNS);
        assertThat(voip.kind()).isEqualTo(DeviceToken.Kind.INCOMING_CALL);
        assertThat(voip.appId()).isEqualTo("com.example.app");
        assertThat(voip.token()).isEqualTo("00fc13adff78");
        DeviceToken alert = PushContact.of("sip:app@h;pn-provider=APNS;pn-prid=aa;pn-param=ABCD1234.com.example.app", "x",
                NOW).orElseThrow();
        assertThat(alert.kind()).isEqualTo(DeviceToken.Kind.OTHER);
        DeviceToken fcm = PushContact.of("sip:app@h;pn-provider=fcm;pn-prid=dGVzdA%3A1;pn-param=my-project", "com.x",
                NOW).orElseThrow();
        assertThat(fcm.platform()).isEqualTo(DeviceToken.Platform.FCM);
        assertThat(fcm.appId()).isEqualTo("com.x");
        assertThat(fcm.token()).isEqualTo("dGVzdA:1");
    }

    @Test
    void unusableParametersAreIgnored() {
        assertThat(PushContact.of("sip:app@h;pn-provider=apns;pn-param=T.com.x", "x", NOW)).isEmpty(); // no prid
        assertThat(PushContact.of("sip:app@h;pn-provider=webpush;pn-prid=a", "x", NOW)).isEmpty();
        assertThat(PushContact.of("sip:app@h;pn-provider=apns;pn-prid=a;pn-param=nodot", "x", NOW)).isEmpty();
        assertThat(PushContact.of("sip:app@h;pn-provider=fcm;pn-prid=a%00b", "x", NOW)).isEmpty();
        assertThat(PushContact.of("sip:app@h;pn-provider=fcm;pn-prid=" + "a".repeat(5000), "x", NOW)).isEmpty();
    }

    @Test
    void anAuthenticatedRegisterCarryingAPridReportsTheToken() throws Exception {
        try (AppLegHarness h = new AppLegHarness(); AppClient app = h.connect()) {
            h.directory.records.put(AppLegServerTest.SEL, AppLegHarness.record(AppLegServerTest.SEL, AppLegServerTest.SECRET));
            String withPrid = app.register(AppLegServerTest.TO_USER, 600).replace("pn-param=", "pn-prid=f00d;pn-param=");
            SipMessage challenge = h.exchange(app, withPrid);
            SipMessage ok = h.exchange(app, AppClient.authorized(withPrid, challenge, AppLegServerTest.SEL,
                    AppLegServerTest.SECRET));
            assertThat(ok.status()).isEqualTo(200);
            h.owner.runReady();
            assertThat(h.presence.drain()).contains("token " + AppLegServerTest.SEL + " APNS/INCOMING_CALL/com.example.app/f00d");
        }
    }
}
