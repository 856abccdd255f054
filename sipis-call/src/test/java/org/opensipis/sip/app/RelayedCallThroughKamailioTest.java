package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.lb2.LoadBalancer;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.testing.ApnsMock;
import org.opensipis.sip.testing.Kamailio;
import org.opensipis.sip.testing.KamailioProxy;
import org.opensipis.sip.testing.Sipp;
import org.opensipis.sip.testing.Stack;

/**
 * The relay with real peers on loopback: Kamailio is the provider's registrar and proxy, SIPp
 * calls, the push goes to Pushy's MockApnsServer, a test app UA registers with the app leg with the
 * pairing id from the push, receives the relayed INVITE and answers. Skipped when kamailio or sipp
 * is absent (CI installs them).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RelayedCallThroughKamailioTest {

    private static final String SEL = "CA11E2E1";
    private static final String USER = "alice";
    /** Two devices of one user: two instances registered at the same AoR, Kamailio forks to both. */
    private static final String BOB = "bob";
    private static final String BOB_PHONE = "B0B1";
    private static final String BOB_TABLET = "B0B2";
    private static final String ANSWER = "v=0\r\no=app 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 50000 RTP/AVP 0\r\n";
    private static final Pattern PAIRING = Pattern.compile("\"pairingId\":\"([^\"]+)\"");

    @TempDir
    static Path dir;
    static KamailioProxy kamailio;
    static Stack stack;
    static RelayRig rig;
    static AppLegServer appLeg;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Kamailio.BINARY), "kamailio is not installed");
        assumeTrue(Files.isExecutable(Sipp.BINARY), "sipp (sip-tester) is not installed");
        AppLegHarness.Directory appDir = new AppLegHarness.Directory();
        rig = RelayRig.withKamailio(dir, Map.of(USER, "secret", BOB, "secret"), appDir);
        kamailio = rig.kamailio;
        stack = rig.stack;
        appLeg = rig.appLeg;
        for (InstanceRecord r : List.of(Stack.instance(SEL, USER, "secret", kamailio.port()),
                Stack.instance(BOB_PHONE, BOB, "secret", kamailio.port()),
                Stack.instance(BOB_TABLET, BOB, "secret", kamailio.port()))) {
            appDir.records.put(r.selector(), r);
            rig.registerAndAwait(r);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close(); // the app leg, the relay, the stack and Kamailio
        }
    }

    @Test
    void sippCallIsAnsweredByTheAppAndSippHangsUp() throws Exception {
        try (AppClient app = answer("relayed-call-caller-bye.xml")) {
            next(app, m -> "BYE".equals(m.method()));
            assertPassed(running);
        }
    }

    @Test
    void theAppHangingUpReachesSippAsBye() throws Exception {
        try (AppClient app = answer("relayed-call-app-bye.xml")) {
            app.send(bye(invite));
            next(app, m -> m.status() == 200 && m.header("cseq").orElse("").endsWith("BYE"));
            assertPassed(running);
        }
    }

    @Test
    void theAppReInviteReachesSippThroughKamailioAndItsAnswerComesBack() throws Exception {
        try (AppClient app = answer("relayed-call-app-reinvite.xml")) {
            String hold = ANSWER.replace("m=audio", "a=sendonly\r\nm=audio");
            app.send(inAppDialog(invite, "INVITE", 2, hold));
            SipMessage ok = next(app, m -> m.status() == 200 && m.header("cseq").orElse("").equals("2 INVITE"));
            assertThat(ok.body()).contains("a=recvonly");
            app.send(inAppDialog(invite, "ACK", 2, null));
            app.send(inAppDialog(invite, "BYE", 3, null));
            next(app, m -> m.status() == 200 && m.header("cseq").orElse("").equals("3 BYE"));
            assertPassed(running);
        }
    }

    @Test
    void twoDevicesTheFirstToAnswerWinsTheOtherGetsCancelAndAnsweredElsewherePush() throws Exception {
        int elsewhere = stack.apns.ofType("answered-elsewhere").size();
        Map<String, String> pairing = callAndAwaitPushes(BOB, BOB_PHONE, BOB_TABLET);
        try (AppClient phone = connect(BOB_PHONE, pairing.get(BOB_PHONE));
             AppClient tablet = connect(BOB_TABLET, pairing.get(BOB_TABLET))) {
            SipMessage toPhone = next(phone, r -> "INVITE".equals(r.method()));
            SipMessage toTablet = next(tablet, r -> "INVITE".equals(r.method()));
            tablet.send(RelayMessagesForTest.responseTagged(toTablet, 180, "Ringing", "tablet-tag", null));
            phone.send(RelayMessagesForTest.responseTagged(toPhone, 200, "OK", "phone-tag", ANSWER));
            next(phone, r -> "ACK".equals(r.method()));

            // Kamailio cancels the other fork with Reason cause=200; the relay passes it on
            SipMessage cancel = next(tablet, r -> "CANCEL".equals(r.method()));
            assertThat(cancel.callId()).isEqualTo(toTablet.callId());
            assertThat(cancel.headers("reason")).anySatisfy(v -> assertThat(v).contains("cause=200"));
            tablet.send(RelayMessagesForTest.responseTagged(cancel, 200, "OK", "tablet-tag", null));
            tablet.send(RelayMessagesForTest.responseTagged(toTablet, 487, "Request Terminated", "tablet-tag", null));
            next(tablet, r -> "ACK".equals(r.method()) && r.cseq() == 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> stack.apns.ofType("answered-elsewhere").stream()
                    .skip(elsewhere).anyMatch(p -> p.payload().contains("\"s\":\"" + BOB_TABLET + "\"")));
            assertThat(stack.apns.ofType("answered-elsewhere").stream().skip(elsewhere)
                    .noneMatch(p -> p.payload().contains("\"s\":\"" + BOB_PHONE + "\""))).isTrue();

            // the winner's call goes on: SIPp hangs up, the phone gets the BYE
            assertPassed(running);
            next(phone, r -> "BYE".equals(r.method()));
            assertThat(tablet.received.stream().filter(x -> !AppClient.PONG.equals(x)).map(SipMessage::parse)
                    .noneMatch(x -> "BYE".equals(x.method()))).isTrue();
        }
    }

    /** Starts SIPp calling {@code user}, waits for an incoming-call push per selector; their pairing ids. */
    private Map<String, String> callAndAwaitPushes(String user, String... selectors) throws Exception {
        int before = stack.apns.ofType("incoming-call").size();
        running = Sipp.start("relayed-call-two-devices.xml", kamailio.port(), user,
                Files.createTempDirectory(dir, "two-devices"));
        Map<String, String> ids = new java.util.concurrent.ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (ApnsMock.Received p : stack.apns.ofType("incoming-call").stream().skip(before).toList()) {
                for (String sel : selectors) {
                    Matcher m = PAIRING.matcher(p.payload());
                    if (p.payload().contains("\"s\":\"" + sel + "\"") && m.find()) {
                        ids.put(sel, m.group(1));
                    }
                }
            }
            return ids.size() == selectors.length;
        });
        return ids;
    }

    /** A test app connected to the app leg and registered for {@code selector}, naming the call by its pairing id. */
    private static AppClient connect(String selector, String pairingId) throws Exception {
        AppClient app = new AppClient(new Socket("127.0.0.1", appLeg.port()));
        String extra = "X-Sipis-Pairing-Id: " + pairingId;
        app.send(app.register(selector, 600, extra));
        SipMessage challenge = next(app, r -> r.status() == 401);
        app.send(AppClient.authorized(app.register(selector, 600, extra), challenge, selector, "app"));
        next(app, r -> r.status() == 200 && r.header("cseq").orElse("").endsWith("REGISTER"));
        return app;
    }

    private Sipp.Run running;
    private SipMessage invite;

    @Test
    void theAppNeverAnsweringEndsTheCallAtT2WithACancelToTheApp() throws Exception {
        try (AppClient app = relayed("relayed-call-t2.xml", new InetSocketAddress("127.0.0.1", appLeg.port()))) {
            app.send(RelayMessagesForTest.responseTagged(invite, 180, "Ringing", "app-tag", null));
            // T2 (10 s in this stack) runs from the progress signal; SIPp expects 480 No-Answer-From-Device
            SipMessage cancel = next(app, m -> "CANCEL".equals(m.method()), Duration.ofSeconds(30));
            assertThat(cancel.topBranch()).isEqualTo(invite.topBranch());
            app.send(RelayMessagesForTest.responseTagged(cancel, 200, "OK", "app-tag", null));
            app.send(RelayMessagesForTest.responseTagged(invite, 487, "Request Terminated", "app-tag", null));
            next(app, m -> "ACK".equals(m.method()));
            assertPassed(running);
        }
    }

    @Test
    void theAppReachingSipisThroughLb2AnswersAndSippHangsUp() throws Exception {
        HostPort any = new HostPort("127.0.0.1", 0);
        Backend self = new Backend(Optional.of("Sipis1"), SelectorPrefix.parse(""), "",
                new HostPort("127.0.0.1", appLeg.port()), Path.of("LoadBalancer2.xml"), 1);
        Lb2Settings lb2 = new Lb2Settings(Path.of("LoadBalancer2.xml"), List.of(), List.of(any), List.of(),
                new Lb2Settings.TlsOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()), List.of(self));
        try (LoadBalancer lb = LoadBalancer.start(lb2, 1);
             AppClient app = answer("relayed-call-caller-bye.xml", lb.tcpAddresses().get(0))) {
            next(app, m -> "BYE".equals(m.method())); // SIPp's BYE, relayed over the app's flow through LB2
            assertPassed(running);
        }
    }

    /** Starts SIPp, waits for its push, registers the app with the pairing id, answers the relayed INVITE. */
    private AppClient answer(String scenario) throws Exception {
        return answer(scenario, new InetSocketAddress("127.0.0.1", appLeg.port()));
    }

    /** The same, the app connecting to {@code sipis} (the app leg itself, or LB2 in front of it). */
    private AppClient answer(String scenario, InetSocketAddress sipis) throws Exception {
        AppClient app = relayed(scenario, sipis);
        app.send(RelayMessagesForTest.responseTagged(invite, 200, "OK", "app-tag", ANSWER));
        next(app, r -> "ACK".equals(r.method()));
        return app;
    }

    /** Starts SIPp, waits for its push, registers the app with the pairing id, returns once the INVITE is relayed. */
    private AppClient relayed(String scenario, InetSocketAddress sipis) throws Exception {
        int before = stack.apns.ofType("incoming-call").size();
        running = Sipp.start(scenario, kamailio.port(), USER, Files.createTempDirectory(dir, scenario.replace(".xml", "")));
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.apns.ofType("incoming-call").size() > before);
        var pushes = stack.apns.ofType("incoming-call");
        Matcher m = PAIRING.matcher(pushes.get(pushes.size() - 1).payload());
        assertThat(m.find()).isTrue();
        AppClient app = new AppClient(new Socket(sipis.getAddress(), sipis.getPort()));
        String extra = "X-Sipis-Pairing-Id: " + m.group(1);
        app.send(app.register(SEL, 600, extra));
        SipMessage challenge = next(app, r -> r.status() == 401);
        app.send(AppClient.authorized(app.register(SEL, 600, extra), challenge, SEL, "app"));
        next(app, r -> r.status() == 200 && r.header("cseq").orElse("").endsWith("REGISTER"));
        invite = next(app, r -> "INVITE".equals(r.method()));
        assertThat(invite.body()).contains("m=audio").contains("PCMU");
        assertThat(invite.header("from").orElseThrow()).startsWith("\"SIPp Caller\" <sip:caller@127.0.0.1:");
        return app;
    }

    private void assertPassed(Sipp.Run run) throws Exception {
        int rc = run.await(60);
        assertThat(rc).as("sipp %s exit code; logs:%n%s%nkamailio:%n%s", run.scenario(), run.logs(), kamailio.log())
                .isZero();
    }

    private static String bye(SipMessage invite) {
        return "BYE sip:sipis@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.5:50123;branch=z9hG4bK-app-bye\r\n"
                + "From: " + invite.header("to").orElseThrow() + ";tag=app-tag\r\n"
                + "To: " + invite.header("from").orElseThrow() + "\r\n"
                + "Call-ID: " + invite.callId() + "\r\n"
                + "CSeq: 2 BYE\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** A request from the app in the app-leg dialog of {@code invite} (app tag "app-tag"), SDP body or none. */
    private static String inAppDialog(SipMessage invite, String method, int cseq, String sdp) {
        String head = method + " sip:sipis@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.5:50123;branch=z9hG4bK-app-" + method.toLowerCase(java.util.Locale.ROOT)
                + "-" + cseq + "\r\n"
                + "From: " + invite.header("to").orElseThrow() + ";tag=app-tag\r\n"
                + "To: " + invite.header("from").orElseThrow() + "\r\n"
                + "Call-ID: " + invite.callId() + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Max-Forwards: 70\r\n";
        if (sdp == null) {
            return head + "Content-Length: 0\r\n\r\n";
        }
        return head + "Contact: <sip:app@10.0.0.5:50123;transport=tcp>\r\nContent-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + sdp;
    }

    private static SipMessage next(AppClient c, Predicate<SipMessage> p) {
        return next(c, p, Duration.ofSeconds(20));
    }

    private static SipMessage next(AppClient c, Predicate<SipMessage> p, Duration atMost) {
        SipMessage[] got = new SipMessage[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(5)).until(() -> {
            for (String s; (s = c.received.poll()) != null; ) {
                if (!AppClient.PONG.equals(s)) {
                    SipMessage m = SipMessage.parse(s);
                    if (p.test(m)) {
                        got[0] = m;
                        return true;
                    }
                }
            }
            return false;
        });
        return got[0];
    }
}
