package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.sip.testing.Baresip;
import org.opensipis.sip.testing.Kamailio;
import org.opensipis.sip.testing.KamailioProxy;
import org.opensipis.sip.testing.Sipp;
import org.opensipis.sip.testing.Stack;

/**
 * The whole relayed call with a stock SIP UA as the app: SIPp calls the user's AoR through
 * Kamailio, SIPIS (registered there) pushes to Pushy's MockApnsServer, and only then baresip
 * (Debian baresip-core, the "woken app") starts, registers with the app leg over TCP with the
 * instance's app secret (no pairing id: the oldest waiting call is meant), gets SIPIS's INVITE
 * and answers it by itself ({@code answermode=auto}). SIPp checks baresip's SDP in the 200.
 * The same harness as {@link RelayedCallThroughKamailioTest}; skipped when baresip, kamailio or
 * sipp is absent (CI installs them).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BaresipCallThroughKamailioTest {

    private static final String SEL = "BA5E5109:7C3A0D14";
    private static final String USER = "bob";
    private static final String APP_SECRET = "app"; // Stack.instance's app secret

    @TempDir
    static Path dir;
    static KamailioProxy kamailio;
    static Stack stack;
    static RelayRig rig;
    static AppLegServer appLeg;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Baresip.BINARY), "baresip is not installed (Debian package baresip-core)");
        assumeTrue(Files.isExecutable(Kamailio.BINARY), "kamailio is not installed");
        assumeTrue(Files.isExecutable(Sipp.BINARY), "sipp (sip-tester) is not installed");
        AppLegHarness.Directory appDir = new AppLegHarness.Directory();
        rig = RelayRig.withKamailio(dir, Map.of(USER, "secret"), appDir);
        kamailio = rig.kamailio;
        stack = rig.stack;
        appLeg = rig.appLeg;
        InstanceRecord record = Stack.instance(SEL, USER, "secret", kamailio.port());
        appDir.records.put(SEL, record);
        rig.registerAndAwait(record);
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close(); // the app leg, the relay, the stack and Kamailio
        }
    }

    @Test
    void baresipAnswersTheRelayedCallAndSippHangsUp() throws Exception {
        Sipp.Run sipp = callAndWake("baresip-call-caller-bye.xml");
        try (Baresip app = startApp(sipp.dir())) {
            // SIPp passes only if it got baresip's 200 (a=tool:baresip, loopback, PCMU), ACKed, and its BYE got 200
            assertPassed(sipp, app);
            // baresip never hangs up by itself here: its call is gone because our BYE reached it
            awaitOrFail(app, "baresip still has the call after SIPp's BYE", app::idle);
            assertProgressAndCleanAppLeg();
            assertThat(appLeg.bindingOf(SEL).orElseThrow().contact()).contains("@127.0.0.1:").contains(";transport=tcp");
        } finally {
            sipp.process().destroyForcibly(); // a no-op when it has passed
        }
    }

    @Test
    void baresipHangingUpReachesSippAsBye() throws Exception {
        Sipp.Run sipp = callAndWake("baresip-call-app-bye.xml");
        try (Baresip app = startApp(sipp.dir())) {
            awaitOrFail(app, "baresip did not get to an established call", app::inEstablishedCall);
            assertThat(app.command("hangup")).contains("\"ok\":true");
            // SIPp passes only if a BYE reaches it (through SIPIS and Kamailio); it answers 200
            assertPassed(sipp, app);
            awaitOrFail(app, "baresip still has the call after hanging up", app::idle);
            assertProgressAndCleanAppLeg();
        } finally {
            sipp.process().destroyForcibly();
        }
    }

    /** Starts SIPp calling the user and waits for the incoming-call push; the app is not running yet. */
    private Sipp.Run callAndWake(String scenario) throws Exception {
        int before = stack.apns.ofType("incoming-call").size();
        rig.progress.clear();
        Sipp.Run run = Sipp.start(scenario, kamailio.port(), USER, Files.createTempDirectory(dir, scenario.replace(".xml", "")));
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.apns.ofType("incoming-call").size() > before);
        assertThat(appLeg.bindingOf(SEL).filter(b -> b.flow().isOpen())).as("no app flow before the push").isEmpty();
        return run;
    }

    /** The woken app: baresip with the instance's selector and app secret, answering by itself. */
    private static Baresip startApp(Path sippDir) throws Exception {
        Path d = Files.createDirectory(sippDir.resolve("baresip"));
        return new Baresip(d, "<sip:" + SEL.replace(":", "%3A") + "@" + AppLegHarness.REALM + ";transport=tcp>"
                + ";auth_user=" + SEL + ";auth_pass=" + APP_SECRET
                + ";outbound=\"sip:127.0.0.1:" + appLeg.port() + ";transport=tcp\";regint=600;answermode=auto");
    }

    private void assertPassed(Sipp.Run run, Baresip app) throws Exception {
        int rc = run.await(60);
        if (rc != 0) {
            app.close(); // so that its log is complete
            assertThat(rc).as("sipp %s exit code; logs:%n%s%nbaresip:%n%s%nkamailio:%n%s", run.scenario(), run.logs(),
                    app.log(), kamailio.log()).isZero();
        }
    }

    private static void awaitOrFail(Baresip app, String what, Callable<Boolean> condition)
            throws Exception {
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(condition);
        } catch (ConditionTimeoutException e) {
            app.close();
            throw new AssertionError(what + "; baresip said:\n" + app.log(), e);
        }
    }

    /** baresip's REGISTER was the progress signal (without pairing id), and nothing it sent was refused or dropped. */
    private static void assertProgressAndCleanAppLeg() {
        assertThat(rig.progress).first().isEqualTo(SEL + " -");
        AppLegStats s = appLeg.stats();
        assertThat(s.authFailures()).as("digest failures").isZero();
        assertThat(s.malformed()).as("malformed messages").isZero();
        assertThat(s.notImplemented()).as("requests answered 501").isZero();
        assertThat(s.droppedResponses()).as("responses no call wanted").isZero();
    }
}
