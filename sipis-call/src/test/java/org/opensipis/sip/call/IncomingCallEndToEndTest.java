package org.opensipis.sip.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.eatthepath.pushy.apns.PushType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.sip.testing.ApnsMock;
import org.opensipis.sip.testing.KamailioProxy;
import org.opensipis.sip.testing.Sipp;
import org.opensipis.sip.testing.Stack;

/**
 * End to end on loopback with real peers: Kamailio is the provider's registrar and proxy
 * ({@code lookup("location")} + {@code t_relay()}), our instance registers there through the
 * registration engine, SIPp calls it, and the real push module pushes to Pushy's
 * MockApnsServer over TLS. T1 is 3 s here. Skipped only when kamailio or sipp is absent (CI
 * installs them: .ci/install.d/20-kamailio.sh, 25-sipp.sh).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IncomingCallEndToEndTest {

    private static final String SEL = "CA11E2E0";
    private static final String USER = "alice";

    @TempDir
    static Path dir;
    static KamailioProxy kamailio;
    static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(org.opensipis.sip.testing.Kamailio.BINARY), "kamailio is not installed");
        assumeTrue(Files.isExecutable(Sipp.BINARY), "sipp (sip-tester) is not installed");
        kamailio = new KamailioProxy(Map.of(USER, "secret"));
        stack = new Stack(dir, Duration.ofSeconds(3), CallHarness.defaultFilters());
        // warm the APNs connection so the first call's push is not slowed by the TLS handshake
        stack.push.push(PushRequest.builder(SEL, Stack.instance(SEL, USER, "secret", 1).tokens().get(1), Verb.PUSH_TEST,
                java.time.Instant.now()).build()).get(20, TimeUnit.SECONDS);
        stack.engine.register(Stack.instance(SEL, USER, "secret", kamailio.port()), Optional.empty());
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.engine.state(SEL).map(InstanceState::state)
                .orElse(null) == RegistrationState.REGISTERED);
        assertThat(kamailio.kamcmd("ul.dump")).contains("sip:s" + SEL + "@127.0.0.1:");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
    }

    private static Sipp.Run sipp(String scenario) throws Exception {
        Path d = Files.createTempDirectory(dir, scenario.replace(".xml", ""));
        return Sipp.start(scenario, kamailio.port(), USER, d);
    }

    private static void assertPassed(Sipp.Run run) throws Exception {
        int rc = run.await(60);
        assertThat(rc).as("sipp %s exit code; logs:%n%s%nkamailio:%n%s", run.scenario(), run.logs(), kamailio.log())
                .isZero();
    }

    private static String callIdOf(String trace, int nth) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Call-ID: (\\S+)").matcher(trace);
        for (int i = 0; i <= nth; i++) {
            assertThat(m.find()).isTrue();
        }
        return m.group(1);
    }

    @Test
    void callerHearsTheRingSequenceThenT1Gives480WithTheReason() throws Exception {
        int before = stack.apns.ofType("incoming-call").size();
        Sipp.Run run = sipp("incoming-call-t1.xml");
        assertPassed(run); // 180 Alerting-Device, 180 Push-Notification-Sent, 480 No-Response-From-Device
        String callId = callIdOf(run.logs(), 0);

        var calls = stack.apns.ofType("incoming-call");
        assertThat(calls).hasSize(before + 1);
        ApnsMock.Received voip = calls.get(calls.size() - 1);
        assertThat(voip.notification().getPushType()).isEqualTo(PushType.VOIP);
        assertThat(voip.notification().getTopic()).isEqualTo(ApnsMock.BUNDLE + ".voip");
        assertThat(voip.notification().getToken()).isEqualTo(ApnsMock.VOIP);
        assertThat(voip.payload()).contains("\"callId\":\"" + callId + "\"").contains("\"pairingId\":")
                .contains("\"sendTime\":").contains("\"callerName\":\"SIPp Caller\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.apns.ofType("missed-call").stream()
                .anyMatch(r -> r.payload().contains(callId)));
        assertThat(stack.log.missedCalls(SEL).join()).anySatisfy(m -> {
            assertThat(m.callId()).isEqualTo(callId);
            assertThat(m.reason()).isEqualTo("no-response-from-device");
        });
    }

    @Test
    void cancelGives487AndTheMissedCallPush() throws Exception {
        Sipp.Run run = sipp("incoming-call-cancel.xml");
        assertPassed(run); // 180, 180, CANCEL → 200, 487
        String callId = callIdOf(run.logs(), 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.apns.ofType("missed-call").stream()
                .anyMatch(r -> r.payload().contains(callId)));
        ApnsMock.Received missed = stack.apns.ofType("missed-call").stream()
                .filter(r -> r.payload().contains(callId)).findFirst().orElseThrow();
        assertThat(missed.notification().getToken()).isEqualTo(ApnsMock.ALERT);
        assertThat(missed.notification().getPushType()).isEqualTo(PushType.ALERT);
        assertThat(missed.payload()).contains("\"badge\":");
        assertThat(stack.log.missedCalls(SEL).join()).anySatisfy(m -> {
            assertThat(m.callId()).isEqualTo(callId);
            assertThat(m.reason()).isEqualTo("cancelled");
        });
        assertThat(stack.incoming.stats().outcomes()).containsKey("cancelled");
    }

    @Test
    void cancelAnsweredElsewherePushesThatInsteadOfAMissedCall() throws Exception {
        Sipp.Run run = sipp("incoming-call-cancel-elsewhere.xml");
        assertPassed(run); // CANCEL with Reason: SIP;cause=200, relayed by Kamailio's tm
        String callId = callIdOf(run.logs(), 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.apns.ofType("answered-elsewhere").stream()
                .anyMatch(r -> r.payload().contains(callId)));
        assertThat(stack.apns.ofType("missed-call")).noneMatch(r -> r.payload().contains(callId));
        assertThat(stack.log.missedCalls(SEL).join()).noneMatch(m -> m.callId().equals(callId));
    }

    @Test
    void sippFailsTheCallWhenAHeaderCheckDoesNotMatch() throws Exception {
        Sipp.Run run = sipp("negative-control.xml"); // proves the scenarios' check_it assertions bite
        assertThat(run.await(60)).isNotZero();
        assertThat(run.logs()).contains("Bogus-Status");
    }

    @Test
    void messageThroughTheProxyIsStoredAndPushed() throws Exception {
        Sipp.Run run = sipp("message.xml");
        assertPassed(run); // 202 Accepted
        String callId = callIdOf(run.logs(), 0);
        assertThat(stack.log.textMessages(SEL).join()).anySatisfy(m -> {
            assertThat(m.body()).contains("Hello from SIPp");
            assertThat(m.contentType()).isEqualTo("text/plain");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.apns.ofType("text-message").stream()
                .anyMatch(r -> r.payload().contains(callId) && r.payload().contains("Hello from SIPp")));
    }
}
