package org.opensipis.server.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.call.InMemoryCallLog;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.IncomingCallSettings;
import org.opensipis.core.settings.InstanceSettings;
import org.opensipis.core.settings.RejectWith;
import org.opensipis.core.settings.TlsServerOptions;
import org.opensipis.core.shard.Shard;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.push.lifecycle.ExpiryPlanner;
import org.opensipis.push.lifecycle.InstanceLifecycle;
import org.opensipis.push.lifecycle.LifecycleActions;
import org.opensipis.push.lifecycle.PlannedAction;
import org.opensipis.sip.app.AppClient;
import org.opensipis.sip.app.AppDirectory;
import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.app.AppLegConfig;
import org.opensipis.sip.app.AppLegServer;
import org.opensipis.sip.app.AppPresence;
import org.opensipis.sip.call.CallConfig;
import org.opensipis.sip.call.Directory;
import org.opensipis.sip.call.IncomingListener;
import org.opensipis.sip.call.IncomingRequests;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.registration.EngineConfig;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationListener;
import org.opensipis.sip.owner.Owners;
import org.opensipis.sip.relay.CallProgress;
import org.opensipis.sip.relay.CallRelay;
import org.opensipis.sip.transport.SipEndpoint;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;
import org.opensipis.sip.transport.TransportConfig;

/**
 * One owner per instance, end to end on loopback with real sockets: the registration engine on
 * four owner threads, and the app leg, hand-over, call relay and life cycle wired to its owners
 * as the composition root wires them. For one selector it drives registration at a registrar,
 * an app-leg REGISTER (foreground), the app's unregistration (background), an incoming call
 * relayed to the app and answered, and the life cycle's timers, and checks that every callback
 * of that instance ran on the one owner thread of its selector and that the other owners ran
 * nothing but the life cycle's ticks. Owner-only methods check their thread too: a hop missed
 * anywhere would fail there.
 */
@Timeout(60)
class OneOwnerPerInstanceTest {

    private static final String SELECTOR = "0A0B0C0D";
    private static final String REALM = "sipis.test";
    private static final int OWNERS = 4;
    private static final String OFFER = "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0\r\n";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.now());
    private final List<CountingOwner> owners = new ArrayList<>();
    /** "what thread" for every callback of the instance. */
    private final Queue<String> callbacks = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<String> pairingIds = new LinkedBlockingQueue<>();
    private final Queue<RegistrationState> states = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private RegistrationEngine engine;
    private AppLegServer appLeg;

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void everyCallbackOfOneInstanceRunsOnTheOwnerOfItsSelector() throws Exception {
        FakeRegistrar registrar = new FakeRegistrar();
        closing.add(registrar);
        registrar.addUser("alice", "alice-pw");
        InstanceRecord record = instance(registrar.udpPort());
        Parts p = wire();
        String ownerThread = "test-owner-" + engine.owners().indexOf(SELECTOR);

        // adopted as the coordinator does: directory, life cycle, engine on the selector's owner
        p.directory.put(record, Optional.empty());
        p.lifecycle.contact(SELECTOR, clock.instant(), false);
        p.handOver.adopt(record, Optional.empty());
        awaitState(RegistrationState.REGISTERED);

        try (AppClient app = new AppClient(new Socket("127.0.0.1", appLeg.port()));
             Upstream upstream = new Upstream(engine.udpPort())) {
            register(app, 600);                               // foreground: Idle
            awaitState(RegistrationState.IDLE);
            register(app, 0);                                 // background: registered again
            awaitState(RegistrationState.REGISTERED);

            upstream.send(upstream.invite("call-1"));         // an incoming call: push, then the app
            String pairing = pairingIds.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(pairing).isNotNull();
            register(app, 600, "X-Sipis-Pairing-Id: " + pairing);
            SipMessage invite = next(app, m -> "INVITE".equals(m.method()));
            app.send(answer(invite));
            next(app, m -> "ACK".equals(m.method()));
            SipMessage ok = upstream.expect(m -> m.status() == 200);
            assertThat(ok.callId()).isEqualTo("call-1");
        }

        clock.advance(Duration.ofDays(4));                    // the life cycle's timers
        p.lifecycle.tick();
        await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.stream().anyMatch(c -> c.startsWith("lifecycle")));

        List<String> seen = List.copyOf(callbacks);
        assertThat(seen).extracting(c -> c.substring(0, c.indexOf(' '))).contains("registration", "foreground",
                "background", "progress", "message", "push", "lifecycle");
        assertThat(seen).allSatisfy(c -> assertThat(c).endsWith(" on " + ownerThread));
        // and an owner-only method called elsewhere says so, naming itself and the selector
        assertThatThrownBy(() -> engine.registerOnOwner(record, Optional.empty()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("registerOnOwner")
                .hasMessageContaining(SELECTOR).hasMessageContaining(Thread.currentThread().getName());
        for (int i = 0; i < OWNERS; i++) {
            if (!owners.get(i).name.equals(ownerThread)) {
                assertThat(owners.get(i).tasks.get()).as("tasks on %s", owners.get(i).name).isEqualTo(1); // the tick
            }
        }
    }

    /** The wiring of SipisServer, with recording hooks. */
    private record Parts(InstanceDirectory directory, InstanceLifecycle lifecycle, AppHandOver handOver) {
    }

    private Parts wire() throws IOException {
        List<Owner> list = new ArrayList<>();
        for (int i = 0; i < OWNERS; i++) {
            ThreadOwner t = new ThreadOwner("test-owner-" + i);
            closing.add(t);
            CountingOwner c = new CountingOwner(t, "test-owner-" + i);
            owners.add(c);
            list.add(c);
        }
        InstanceDirectory directory = new InstanceDirectory(clock);
        InstanceLifecycle[] lifecycle = new InstanceLifecycle[1];
        TransportConfig tc = new TransportConfig("127.0.0.1", 1, Optional.empty(), List.of(), false,
                Duration.ofSeconds(30), Duration.ofSeconds(5));
        EngineConfig ec = new EngineConfig("one-owner", Optional.empty(), "SIPIS-test", EngineHarness.settings(), tc,
                Clock.systemUTC(), list, Optional.empty(), new DnsjavaLookup(), Runnable::run, new Random(), true, 500,
                EngineHarness.LOOPBACK);
        RegistrationListener listener = new RegistrationListener() {
            @Override
            public void stateChanged(InstanceState state) {
                record("registration");
                states.add(state.state());
                directory.update(state);
                RegistrationState st = state.state();
                lifecycle[0].registration(state.selector(), st == RegistrationState.REGISTERED
                        || st == RegistrationState.IDLE, state.changedAt());
            }
        };
        PushService push = request -> {
            record("push");
            request.pairingId().ifPresent(pairingIds::add);
            return CompletableFuture.completedFuture(new PushOutcome.Accepted("id"));
        };
        CallConfig cc = new CallConfig(new IncomingCallSettings(Duration.ofSeconds(30), Duration.ofSeconds(30),
                new RejectWith(480, "Temporarily Unavailable")), List.of(), "SIPIS-test", Optional.empty(),
                Clock.systemUTC(), new SecureRandom(), 500, 100, 5);
        CallRelay relay = new CallRelay(s -> appLeg.bindingOf(s), new Owners(list), new SecureRandom(), REALM);
        IncomingRequests[] incomingOf = new IncomingRequests[1];
        SipEndpoint endpoint = SipEndpoint.open(tc, ep -> {
            engine = new RegistrationEngine(ec, listener, ep);
            incomingOf[0] = new IncomingRequests(cc, Directory.of(engine), push, new InMemoryCallLog(),
                    IncomingListener.NONE, relay::fromUpstream);
            return new SipEndpoint.Routes(incomingOf[0]::onRequest, List.of(engine::onResponse, relay::upstreamResponse),
                    engine::onFlowClosed);
        });
        closing.add(endpoint); // closed after the engine
        closing.add(engine);
        IncomingRequests incoming = incomingOf[0];
        lifecycle[0] = new InstanceLifecycle(new ExpiryPlanner(lifecycleSettings()), clock,
                new LifecycleOnOwners(engine.owners()), new LifecycleActions() {
                    @Override
                    public void warn(String selector, Verb verb, Instant expiresAt) {
                        record("lifecycle");
                    }

                    @Override
                    public void expire(String selector, PlannedAction.Kind reason) {
                        record("lifecycle");
                    }
                });
        AppHandOver handOver = new AppHandOver(directory, Shard.all("one-owner"), engine, lifecycle[0], relay,
                new CallProgress(incoming, relay), clock, new NoStore());
        appLeg = AppLegServer.start(new AppLegConfig("127.0.0.1", 0, false,
                new TlsServerOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()), REALM,
                Duration.ofMinutes(30), Duration.ofMinutes(1), 60, 3600, 5, 1), handOver, new Recording(handOver),
                engine.owners(), clock);
        closing.add(appLeg);
        return new Parts(directory, lifecycle[0], handOver);
    }

    /** alice at the registrar on loopback, with an incoming-call token, app secret "app". */
    private static InstanceRecord instance(int port) {
        SipAccount a = new SipAccount("alice", "alice", Secret.of("alice-pw"), "127.0.0.1", Optional.of("127.0.0.1"),
                port, SipAccount.Transport.UDP, "Test alice", Optional.empty());
        Instant now = Instant.now();
        return new InstanceRecord(SELECTOR, "com.example.app", false, a, Secret.of("app"), List.of(
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, "com.example.app", "voip", now)),
                now, false);
    }

    private static InstanceSettings lifecycleSettings() {
        return new InstanceSettings("SIPIS", Duration.ofDays(3), Duration.ofDays(7), Duration.ofHours(12),
                Duration.ofHours(24), Duration.ofHours(1), Duration.ofHours(12), Duration.ofHours(11), true,
                Duration.ofSeconds(30));
    }

    private void record(String what) {
        callbacks.add(what + " on " + Thread.currentThread().getName());
    }

    private void awaitState(RegistrationState s) {
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.state(SELECTOR).map(InstanceState::state).orElse(null) == s);
    }

    /** REGISTER over the app leg, answering the digest challenge. */
    private void register(AppClient app, int expires, String... extra) throws IOException {
        app.send(app.register(SELECTOR, expires, extra));
        SipMessage challenge = next(app, m -> m.status() == 401);
        app.send(AppClient.authorized(app.register(SELECTOR, expires, extra), challenge, SELECTOR, "app"));
        next(app, m -> m.isResponse() && m.header("cseq").orElse("").endsWith("REGISTER") && m.status() == 200);
    }

    private static SipMessage next(AppClient c, Predicate<SipMessage> p) {
        SipMessage[] got = new SipMessage[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> {
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

    /** The app's 200 to the relayed INVITE. */
    private static String answer(SipMessage invite) {
        StringBuilder b = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String v : invite.headers("via")) {
            b.append("Via: ").append(v).append("\r\n");
        }
        b.append("From: ").append(invite.header("from").orElseThrow()).append("\r\n")
                .append("To: ").append(invite.header("to").orElseThrow()).append(";tag=app-tag\r\n")
                .append("Call-ID: ").append(invite.callId()).append("\r\n")
                .append("CSeq: ").append(invite.header("cseq").orElseThrow()).append("\r\n")
                .append("Contact: <sip:app@10.0.0.5:50123;transport=tcp>\r\n")
                .append("Content-Type: application/sdp\r\n")
                .append("Content-Length: ").append(OFFER.length()).append("\r\n\r\n").append(OFFER);
        return b.toString();
    }

    /** Records the thread of every presence call, then hands it to the real hand-over. */
    private final class Recording implements AppPresence {
        private final AppHandOver handOver;

        Recording(AppHandOver handOver) {
            this.handOver = handOver;
        }

        @Override
        public void foreground(String selector) {
            record("foreground");
            handOver.foreground(selector);
        }

        @Override
        public void background(String selector) {
            record("background");
            handOver.background(selector);
        }

        @Override
        public void pushToken(String selector, org.opensipis.core.instance.DeviceToken token) {
            record("token");
            handOver.pushToken(selector, token);
        }

        @Override
        public void progress(String selector, Optional<String> pairingId) {
            record("progress");
            handOver.progress(selector, pairingId);
        }

        @Override
        public boolean message(String selector, AppFlow flow, SipMessage message) {
            record("message");
            return handOver.message(selector, flow, message);
        }
    }

    /** An owner that counts the tasks and timers given to it. */
    private static final class CountingOwner implements Owner {
        final Owner delegate;
        final String name;
        final AtomicInteger tasks = new AtomicInteger();

        CountingOwner(Owner delegate, String name) {
            this.delegate = delegate;
            this.name = name;
        }

        @Override
        public void execute(Runnable task) {
            tasks.incrementAndGet();
            delegate.execute(task);
        }

        @Override
        public Cancellable schedule(Runnable task, long delayMillis) {
            tasks.incrementAndGet();
            return delegate.schedule(task, delayMillis);
        }

        @Override
        public boolean inOwner() {
            return delegate.inOwner();
        }
    }

    /** Push tokens from the app's Contact are saved here. */
    private static final class NoStore implements InstanceStore {
        private final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Void> saveRegistration(InstanceRecord record) {
            records.put(record.selector(), record);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Optional<InstanceRecord>> find(String selector) {
            return CompletableFuture.completedFuture(Optional.ofNullable(records.get(selector)));
        }

        @Override
        public CompletableFuture<Boolean> delete(String selector) {
            return CompletableFuture.completedFuture(records.remove(selector) != null);
        }

        @Override
        public CompletableFuture<Boolean> removeToken(String selector, String token) {
            return CompletableFuture.completedFuture(false);
        }
    }

    /** The provider's proxy on a UDP socket: sends the INVITE, collects what comes back. */
    private static final class Upstream implements AutoCloseable {
        final DatagramSocket socket;
        final int target;
        final BlockingQueue<SipMessage> received = new LinkedBlockingQueue<>();
        final List<SipMessage> seen = new ArrayList<>();

        Upstream(int target) throws IOException {
            this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            this.target = target;
            Thread t = new Thread(this::read, "test-upstream-reader");
            t.setDaemon(true);
            t.start();
        }

        void send(String text) throws IOException {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", target)));
        }

        String invite(String callId) {
            int port = socket.getLocalPort();
            return "INVITE sip:s" + SELECTOR + "@127.0.0.1:" + target + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-up-" + callId + "\r\n"
                    + "Record-Route: <sip:127.0.0.1:" + port + ";lr>\r\n"
                    + "From: \"Bob Caller\" <sip:bob@example.org>;tag=caller-tag\r\n"
                    + "To: <sip:alice@example.org>\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:bob@127.0.0.1:" + port + ">\r\n"
                    + "Max-Forwards: 69\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + OFFER.length() + "\r\n\r\n" + OFFER;
        }

        SipMessage expect(Predicate<SipMessage> p) {
            SipMessage[] got = new SipMessage[1];
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> {
                received.drainTo(seen);
                for (int i = 0; i < seen.size(); i++) {
                    if (p.test(seen.get(i))) {
                        got[0] = seen.remove(i);
                        return true;
                    }
                }
                return false;
            });
            return got[0];
        }

        private void read() {
            byte[] buf = new byte[65_535];
            for (int guard = 0; guard < 1_000_000 && !socket.isClosed(); guard++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                received.add(SipMessage.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
