package org.opensipis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.http.status.InstanceRow;
import org.opensipis.sip.app.AppClient;
import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.app.AppLegConfig;
import org.opensipis.sip.app.AppLegServer;
import org.opensipis.sip.app.AppPresence;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.ManualOwner;
import org.opensipis.sip.testing.Kamailio;
import org.opensipis.server.instances.AppHandOver;

/**
 * The foreground/background hand-over of docs/app-protocol.md section 3 through the whole
 * process (store on embedded PostgreSQL, registration engine, {@link AppHandOver}, app leg)
 * against a real Kamailio registrar (UDP on loopback, digest): SIPIS's binding is in Kamailio's
 * location table while the app is away, gone while the app is registered with SIPIS (Idle),
 * and back once the app unregisters or stops refreshing for a minute past its expiry.
 *
 * <p>The registration engine runs on real time (it really talks to Kamailio); the app leg runs
 * on a manual owner and a fake clock, so the test fires the app's lapse timer itself. Waits are
 * bounded polls of Kamailio's location table ({@code kamcmd ul.dump}) and the instance state.
 */
@Timeout(180)
class HandOverThroughKamailioTest {

    private static final String APP_ID = "com.example.app";
    private static final int APP_EXPIRES = 600;
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static Kamailio kamailio;
    private static final FakeClock appClock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private static final ManualOwner appOwner = new ManualOwner(appClock);
    /** What the app leg told the real AppHandOver, as "foreground S" / "background S". */
    private static final ConcurrentLinkedQueue<String> presence = new ConcurrentLinkedQueue<>();
    private static SipisServer server;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Kamailio.BINARY),
                "kamailio is not installed (.ci/install.d/20-kamailio.sh installs it); skipping the hand-over test");
        kamailio = new Kamailio(Map.of("alice", "alice-pw", "bob", "bob-pw"), 2);
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        Path settings = Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"HandOver\" Realm=\"HandOver\""
                + " Address=\"127.0.0.1\" Port=\"" + Kamailio.freePort() + "\"/>"
                + "<HttpServer Address=\"127.0.0.1\" Port=\"" + Kamailio.freePort() + "\" AuthenticationMethod=\"None\"/>"
                + "<Database EmbeddedDirectory=\"pgdata\"/><Lock FileName=\"sipis.lock\"/><Log FileName=\"sipis.log\"/>"
                // The store's safety-net poll re-adopts recently changed instances, which would
                // also bring SIPIS's binding back; only the hand-over itself may do that here.
                + "<Restart><PollPeriod Hours=\"1\"/></Restart>"
                // Kamailio listens on loopback, which is refused unless opted in
                + "<RegistrarTargets><Allow Network=\"127.0.0.0/8\"/></RegistrarTargets>"
                + "</Sipis>");
        server = new SipisServer(Configuration.load(settings), SipisKey.load(dir.resolve("sipis.key")), Clock.systemUTC(),
                (s, directory, p, owners) -> AppLegServer.start(AppLegConfig.of(s.server(), s.tlsServerOptions()).withPort(0), directory,
                        recording(p), appOwner, appClock));
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
    }

    @BeforeEach
    void forgetOtherTestsPresence() {
        drainPresence();
    }

    @Test
    void appGoneForAMinutePastItsExpiryHandsTheRegistrationBackToSipis() throws Exception {
        Instance alice = new Instance("1A1CE00000000000000000000000000000000001:0000000A", "alice", "alice-pw");
        alice.storeOverHttp();
        alice.awaitSipisBinding(true, RegistrationState.REGISTERED);

        try (AppClient app = connectApp()) {
            assertThat(alice.registerApp(app, APP_EXPIRES).status()).isEqualTo(200);
            assertThat(drainPresence()).containsExactly("foreground " + alice.selector);
            alice.awaitSipisBinding(false, RegistrationState.IDLE);

            // The app stops refreshing: nothing happens until its expiry plus the grace period.
            appOwner.advance(Duration.ofSeconds(APP_EXPIRES).plus(GRACE).minusSeconds(1));
            assertThat(drainPresence()).isEmpty();
            assertThat(alice.state()).isEqualTo(RegistrationState.IDLE);
            assertThat(alice.inKamailio()).isFalse();

            appOwner.advance(Duration.ofSeconds(1));
            assertThat(drainPresence()).containsExactly("background " + alice.selector);
            alice.awaitSipisBinding(true, RegistrationState.REGISTERED);

            // The app is back: Idle again, and no binding of SIPIS's left at the provider.
            assertThat(alice.registerApp(app, APP_EXPIRES).status()).isEqualTo(200);
            alice.awaitSipisBinding(false, RegistrationState.IDLE);
        }
    }

    @Test
    void appUnregisteringHandsTheRegistrationBackToSipis() throws Exception {
        Instance bob = new Instance("B0B0000000000000000000000000000000000002:0000000B", "bob", "bob-pw");
        bob.storeOverHttp();
        bob.awaitSipisBinding(true, RegistrationState.REGISTERED);

        try (AppClient app = connectApp()) {
            assertThat(bob.registerApp(app, APP_EXPIRES).status()).isEqualTo(200);
            bob.awaitSipisBinding(false, RegistrationState.IDLE);
            // A refresh keeps it Idle without touching the provider.
            appOwner.advance(Duration.ofSeconds(APP_EXPIRES / 2));
            assertThat(bob.registerApp(app, APP_EXPIRES).status()).isEqualTo(200);
            assertThat(bob.state()).isEqualTo(RegistrationState.IDLE);
            assertThat(bob.inKamailio()).isFalse();
            drainPresence();

            assertThat(bob.registerApp(app, 0).status()).isEqualTo(200);
            assertThat(drainPresence()).containsExactly("background " + bob.selector);
            bob.awaitSipisBinding(true, RegistrationState.REGISTERED);
        }
    }

    /** One instance: its provider account is a Kamailio user; the app secret is fixed. */
    private static final class Instance {
        final String selector;
        final String user;
        final String password;
        final String appSecret;

        Instance(String selector, String user, String password) {
            this.selector = selector;
            this.user = user;
            this.password = password;
            this.appSecret = "app-secret-" + user;
        }

        /** The app registers with SIPIS over HTTP: stored, then registered upstream by this process. */
        void storeOverHttp() throws Exception {
            String body = "{\"selector\":\"" + selector + "\",\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + appSecret
                    + "\",\"account\":{\"user\":\"" + user + "\",\"password\":\"" + password + "\",\"domain\":\"127.0.0.1\","
                    + "\"proxy\":\"127.0.0.1:" + kamailio.port() + "\",\"transport\":\"UDP\",\"expires\":300},"
                    + "\"tokens\":[{\"platform\":\"APNS\",\"kind\":\"INCOMING_CALL\",\"token\":\"t-" + user + "\"}]}";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/sipis/register"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }

        /** The REGISTER (digest: user the selector, password the app secret) and its final response. */
        SipMessage registerApp(AppClient app, int expires) throws IOException {
            String toUser = selector.replace(":", "%3A");
            SipMessage challenge = exchange(app, app.register(toUser, expires));
            assertThat(challenge.status()).as(challenge.toString()).isEqualTo(401);
            return exchange(app, AppClient.authorized(app.register(toUser, expires), challenge, selector, appSecret));
        }

        RegistrationState state() {
            List<InstanceRow> rows = server.directory().page(selector, 0, 1).rows();
            return rows.isEmpty() ? null : rows.get(0).state();
        }

        /** Whether Kamailio's location table holds SIPIS's Contact for this instance. */
        boolean inKamailio() throws Exception {
            String dump = kamailio.kamcmd("ul.dump");
            assertThat(dump).as("kamcmd ul.dump answered").contains("Domain:");
            return dump.contains("sip:s" + selector.replace(':', '-') + "@");
        }

        void awaitSipisBinding(boolean present, RegistrationState state) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .alias(selector + (present ? " registered by SIPIS at Kamailio" : " Idle, no binding at Kamailio"))
                    .until(() -> state() == state && inKamailio() == present);
        }
    }

    private static AppClient connectApp() throws IOException {
        return new AppClient(new Socket("127.0.0.1", server.appLegPort()));
    }

    /** Sends, and runs the app leg's owner until the server answers (bounded). */
    private static SipMessage exchange(AppClient app, String request) throws IOException {
        app.send(request);
        String[] got = new String[1];
        await().atMost(Duration.ofSeconds(10)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(2)).until(() -> {
                    appOwner.runReady();
                    got[0] = app.received.poll();
                    return got[0] != null;
                });
        appOwner.runReady();
        return SipMessage.parse(got[0]);
    }

    private static List<String> drainPresence() {
        appOwner.runReady();
        List<String> out = new java.util.ArrayList<>();
        for (String s; (s = presence.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }

    /** The real presence (AppHandOver), with every foreground/background change also recorded. */
    private static AppPresence recording(AppPresence real) {
        return new AppPresence() {
            private final java.util.Set<String> foreground = java.util.concurrent.ConcurrentHashMap.newKeySet();

            @Override
            public void foreground(String selector) {
                if (foreground.add(selector)) {
                    presence.add("foreground " + selector);
                }
                real.foreground(selector);
            }

            @Override
            public void background(String selector) {
                foreground.remove(selector);
                presence.add("background " + selector);
                real.background(selector);
            }

            @Override
            public void progress(String selector, Optional<String> pairingId) {
                real.progress(selector, pairingId);
            }

            @Override
            public boolean message(String selector, AppFlow flow, SipMessage message) {
                return real.message(selector, flow, message);
            }
        };
    }
}
