package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.lb2.LoadBalancer;
import org.opensipis.sip.message.SipMutator;
import org.opensipis.sip.message.WireExchange;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.testing.FakeRegistrar;
import org.opensipis.sip.testing.Stack;
import org.slf4j.LoggerFactory;

/**
 * 10,000 seeded SIP mutations ({@link SipMutator}, like the HTTP FuzzTest) against the running
 * parts: datagrams to the socket that receives INVITEs, TCP connections to the app leg, and LB2
 * over UDP and TCP. No answer is a 500, the log stays bounded (rate-limited WARNs, no ERROR), and
 * afterwards the process still serves a real call (180 + push) and a real refresh at the registrar.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SipFuzzEndToEndTest {

    static final long SEED = 20_261_203L;
    static final String SEL = "F0221E5A";
    static final int UDP = 4_000;
    static final int APP_LEG = 2_000;
    static final int LB2_UDP = 2_000;
    static final int LB2_TCP = 2_000;
    static final int BATCH = 50;

    @TempDir
    Path dir;

    @Test
    void tenThousandMutationsGetNo500AndTheProcessStillServesACallAndARefresh() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        Map<Integer, Integer> codes = new ConcurrentSkipListMap<>();
        try (FakeRegistrar registrar = new FakeRegistrar(); Stack stack = new Stack(dir, Duration.ofSeconds(3), List.of());
             ThreadOwner owner = new ThreadOwner("fuzz-app-owner"); AppLegHarness app = new AppLegHarness(owner);
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            registrar.addUser("alice", "secret");
            registrar.maxExpires = 6; // refreshes every ~5 s, during the fuzz and after it
            InstanceRecord record = Stack.instance(SEL, "alice", "secret", registrar.udpPort());
            stack.engine.register(record, Optional.empty());
            awaitRegistered(stack);
            LoadBalancer lb = lb2();
            try {
                InetSocketAddress engine = new InetSocketAddress("127.0.0.1", stack.engine.udpPort());
                String invite = SipMutatorSeeds.invite(SEL, stack.engine.udpPort(), "fuzz-call");
                SipMutator mutator = new SipMutator(List.of(invite));
                Random rnd = new Random(SEED);
                WireExchange x = new WireExchange();
                datagrams(x, udp, engine, mutator, rnd, UDP, BATCH, codes);
                streams(x, new InetSocketAddress("127.0.0.1", app.server.port()), mutator, rnd, APP_LEG, codes);
                // LB2 ties a datagram sender to the backend of its first routable message: one sender per batch
                datagrams(x, null, lb.udpAddresses().get(0), mutator, rnd, LB2_UDP, 10, codes);
                streams(x, lb.tcpAddresses().get(0), mutator, rnd, LB2_TCP, codes);
            } finally {
                lb.close();
            }
            assertThat(codes).as("answers by status code").doesNotContainKey(500).containsKey(400);

            // a real call: the instance's INVITE rings (180 Alerting-Device) and is pushed
            int pushesBefore = stack.apns.received.size();
            byte[] call = SipMutatorSeeds.invite(SEL, stack.engine.udpPort(), "after-fuzz").getBytes(StandardCharsets.UTF_8);
            udp.setSoTimeout(10_000);
            udp.send(new DatagramPacket(call, call.length, new InetSocketAddress("127.0.0.1", stack.engine.udpPort())));
            String ring = receiveCallId(udp, "after-fuzz");
            assertThat(ring).startsWith("SIP/2.0 180 ").contains("X-Sipis-Push-Status: Alerting-Device");
            await().atMost(Duration.ofSeconds(20)).until(() -> stack.apns.received.size() > pushesBefore);

            // a real refresh: the engine's refresh timer sends a REGISTER the registrar accepts
            long before = registrar.registers();
            await().atMost(Duration.ofSeconds(20)).until(() -> registrar.registers() > before);
            awaitRegistered(stack);
        } finally {
            root.detachAppender(log);
        }
        List<ILoggingEvent> loud = log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
        assertThat(loud).as("no ERROR in the log").noneMatch(e -> e.getLevel() == Level.ERROR);
        assertThat(loud.size()).as("rate-limited WARNs: %s", loud).isLessThan(40);
        assertThat(loud).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContainPattern("[\\x00-\\x08\\x0b-\\x1f]"));
    }

    private static void awaitRegistered(Stack stack) {
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.engine.state(SEL).map(InstanceState::state)
                .orElse(null) == RegistrationState.REGISTERED);
    }

    /**
     * Datagrams in batches, each batch followed by a probe whose answer says the batch was read;
     * from {@code s}, or from a new socket per batch when {@code s} is null.
     */
    private static void datagrams(WireExchange x, DatagramSocket s, InetSocketAddress to, SipMutator mutator, Random rnd,
                                  int count, int batch, Map<Integer, Integer> codes) throws IOException {
        for (int sent = 0; sent < count; sent += batch) {
            DatagramSocket from = s != null ? s : new DatagramSocket(0, InetAddress.getLoopbackAddress());
            try {
                for (int i = 0; i < batch - 1; i++) {
                    byte[] b = mutator.next(rnd).bytes();
                    if (b.length > 0 && b.length < 65_000) {
                        from.send(new DatagramPacket(b, b.length, to));
                    }
                }
                WireExchange.Outcome o = x.udp(from, to, mutator.next(rnd).bytes());
                o.codes().forEach(c -> codes.merge(c, 1, Integer::sum));
            } finally {
                if (s == null) {
                    from.close();
                }
            }
        }
    }

    /** One connection per mutation: the bytes, the end of the stream, and whatever comes back. */
    private static void streams(WireExchange x, InetSocketAddress to, SipMutator mutator, Random rnd, int count,
                                Map<Integer, Integer> codes) throws IOException {
        for (int i = 0; i < count; i++) {
            try (Socket s = new Socket(to.getAddress(), to.getPort())) {
                WireExchange.Outcome o = x.stream(s, mutator.next(rnd).bytes(), false);
                o.codes().forEach(c -> codes.merge(c, 1, Integer::sum));
            }
        }
    }

    private static String receiveCallId(DatagramSocket s, String callId) throws IOException {
        byte[] buf = new byte[65_535];
        for (int i = 0; i < 10_000; i++) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            String text = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
            if (text.contains("Call-ID: " + callId + "\r\n")) {
                return text;
            }
        }
        throw new IllegalStateException("no answer for " + callId);
    }

    private static LoadBalancer lb2() throws Exception {
        HostPort any = new HostPort("127.0.0.1", 0);
        Backend b = new Backend(Optional.of("Sipis1"), SelectorPrefix.parse("0/2"), "", new HostPort("127.0.0.1", 9),
                Path.of("Settings.xml"), 1);
        return LoadBalancer.start(new Lb2Settings(Path.of("Settings.xml"), List.of(any), List.of(any), List.of(),
                new Lb2Settings.TlsOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()), List.of(b)), 1);
    }

    /** Requests of this test. */
    static final class SipMutatorSeeds {
        private SipMutatorSeeds() {
        }

        static String invite(String selector, int port, String callId) {
            String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
            return "INVITE sip:s" + selector + "@127.0.0.1:" + port + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK" + callId + ";rport\r\n"
                    + "From: \"Fuzz Caller\" <sip:caller@example.org>;tag=fc\r\nTo: <sip:alice@127.0.0.1>\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                    + "Contact: <sip:caller@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\n"
                    + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
        }
    }
}
