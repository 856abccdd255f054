package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.sip.app.AppClient;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/**
 * A call pushed during a move is answered by the app at the process that holds the instance
 * when the app connects (docs/design-rebalance.md, "A call pushed during a move"). Two
 * {@code sipis run} processes with leases on one PostgreSQL, a registrar fake on loopback UDP, a
 * PNM gateway fake counting pushes: the caller's INVITE reaches the loser S2, which pushes it;
 * then C/2 moves to S1 (reload, gainer first); when S1 has registered the instance S2 forwards the
 * waiting INVITE to S1's SIP address; the app (a real SIP UA over TCP on loopback) connects to
 * S1's app leg, is relayed the call and answers 200, and the caller receives that 200 exactly
 * once, through S2, with one incoming-call push in all.
 */
@Timeout(300)
class CallHandOverIT {

    private static final String SELECTOR = "C1A5E000" + "A".repeat(32) + ":0000000A";
    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path dir;

    private static EmbeddedPostgres pg;
    private static PushCounter pushes;
    private static UdpRegistrar registrar;
    private static final Map<String, SipisProcess> processes = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        pushes = new PushCounter();
        registrar = new UdpRegistrar();
        pg = EmbeddedPostgres.builder().start();
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        for (String n : List.of("S1", "S2")) {
            processes.put(n, new SipisProcess(n, dir, pg.getPort(), pushes.url()));
        }
        for (SipisProcess p : processes.values()) {
            p.writeLb2(Map.of("0/1", "S1", "8/1", "S2"), processes);
        }
        for (SipisProcess p : processes.values()) {
            p.start();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (SipisProcess p : processes.values()) {
            p.stop();
        }
        if (registrar != null) {
            registrar.close();
        }
        if (pushes != null) {
            pushes.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aCallPushedByTheLoserIsAnsweredByTheAppAtTheGainer() throws Exception {
        SipisProcess loser = processes.get("S2");
        SipisProcess gainer = processes.get("S1");
        loser.postRegistrations(List.of(SELECTOR), registrar.port(), LONG);
        String contact = await().atMost(LONG).pollInterval(Duration.ofMillis(100))
                .until(() -> contactOf(loser.regPort()), c -> c != null);

        try (Caller caller = new Caller()) {
            String callId = "handover-" + System.nanoTime() + "@caller";
            caller.invite(contact, loser.regPort(), callId);
            await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> pushes.pushes(callId) == 1);

            // C/2 moves from S2 to S1: each process reloads its own copy, the gainer first
            Map<String, String> next = Map.of("0/1", "S1", "8/2", "S2", "C/2", "S1");
            gainer.writeLb2(next, processes);
            gainer.reload();
            loser.writeLb2(next, processes);
            loser.reload();
            await().atMost(LONG).pollInterval(Duration.ofMillis(100))
                    .until(() -> gainer.log().contains("handed over by the process that pushed it"));
            assertThat(loser.log()).contains("Handing call " + callId + " over to");

            // the woken app reconnects through LB2, which now routes it to S1
            try (AppClient app = new AppClient(new Socket("127.0.0.1", gainer.appPort()))) {
                String toUser = SELECTOR.replace(":", "%3A");
                app.send(app.register(toUser, 600));
                SipMessage challenge = next(app, "REGISTER");
                assertThat(challenge.status()).isEqualTo(401);
                app.send(AppClient.authorized(app.register(toUser, 600), challenge, SELECTOR, "s0"));
                assertThat(next(app, "REGISTER").status()).isEqualTo(200);
                SipMessage invite = next(app, "INVITE");
                assertThat(invite.isResponse()).isFalse();
                app.send(ok(invite));

                SipMessage answer = await().atMost(LONG).pollInterval(Duration.ofMillis(20))
                        .until(() -> caller.finals().stream().findFirst().orElse(null), a -> a != null);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.header("contact").orElseThrow()).contains(":" + gainer.regPort());
                assertThat(answer.headers("via")).as("the loser's Via is gone").hasSize(1);
                assertThat(answer.topBranch()).isEqualTo("z9hG4bK-inv-" + callId.hashCode());
                assertThat(gainer.log()).contains("Relaying call " + callId);
                caller.ack(answer, callId);
                // exactly one final response, and no second push, for the next two seconds
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> caller.finals().size() == 1 && pushes.pushes(callId) == 1);
                assertThat(pushes.missedPushes(callId)).isZero();
                assertThat(gainer.log()).doesNotContain(" ERROR ");
                assertThat(loser.log()).doesNotContain(" ERROR ");
            }
        }
    }

    /** The Contact S2 registered for the instance, from the registrar's REGISTERs; null before. */
    private static String contactOf(int port) {
        for (String r : registrar.registers) {
            String c = UdpRegistrar.header(r, "Contact");
            if (c.contains(":" + port) && !UdpRegistrar.header(r, "Expires").equals("0")) {
                return HeaderParams.uri(c);
            }
        }
        return null;
    }

    /** The next message on the app's flow that is (or answers) {@code method}. Bounded. */
    private static SipMessage next(AppClient app, String method) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            String s = app.received.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(s).as("the app received nothing waiting for " + method).isNotNull();
            if (s.equals(AppClient.PONG)) {
                continue;
            }
            SipMessage m = SipMessage.parse(s);
            if (m.isResponse() ? m.cseqMethod().equals(method) : m.method().equals(method)) {
                return m;
            }
        }
        throw new AssertionError("no " + method + " on the app's flow");
    }

    /** The app answers the relayed INVITE. */
    private static String ok(SipMessage invite) {
        StringBuilder b = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String via : invite.headers("via")) {
            b.append("Via: ").append(via).append("\r\n");
        }
        b.append("From: ").append(invite.header("from").orElseThrow()).append("\r\n");
        b.append("To: ").append(invite.header("to").orElseThrow()).append(";tag=app1\r\n");
        b.append("Call-ID: ").append(invite.callId()).append("\r\n");
        b.append("CSeq: ").append(invite.cseq()).append(" INVITE\r\n");
        b.append("Contact: <sip:app@10.0.0.5:50123;transport=tcp>\r\n");
        String sdp = "v=0\r\no=app 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
        b.append("Content-Type: application/sdp\r\nContent-Length: ").append(sdp.length()).append("\r\n\r\n").append(sdp);
        return b.toString();
    }

    /** A caller on a loopback UDP socket: sends the INVITE to S2's Contact, keeps every response. */
    private static final class Caller implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        final List<SipMessage> responses = new CopyOnWriteArrayList<>();
        private final Thread reader = new Thread(this::read, "test-caller");

        Caller() throws Exception {
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            byte[] buf = new byte[65535];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    SipMessage m = SipMessage.parse(java.util.Arrays.copyOf(buf, p.getLength()));
                    if (m.isResponse()) {
                        responses.add(m);
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        List<SipMessage> finals() {
            return responses.stream().filter(r -> r.status() >= 200 && "INVITE".equals(r.cseqMethod())).toList();
        }

        void invite(String uri, int port, String callId) throws Exception {
            String sdp = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n";
            send("INVITE " + uri + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-inv-" + callId.hashCode() + ";rport\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: \"Caller\" <sip:caller@127.0.0.1>;tag=c1\r\n"
                    + "To: <" + uri + ">\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:caller@127.0.0.1:" + socket.getLocalPort() + ">\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp, port);
        }

        /** The ACK of a 2xx goes to its Contact (no Record-Route): the gainer. */
        void ack(SipMessage ok, String callId) throws Exception {
            String target = HeaderParams.uri(ok.header("contact").orElseThrow());
            int port = Integer.parseInt(target.replaceAll(".*:(\\d+).*", "$1"));
            send("ACK " + target + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-ack-" + callId.hashCode() + ";rport\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: \"Caller\" <sip:caller@127.0.0.1>;tag=c1\r\n"
                    + "To: " + ok.header("to").orElseThrow() + "\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 ACK\r\n"
                    + "Content-Length: 0\r\n\r\n", port);
        }

        private void send(String text, int port) throws Exception {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
