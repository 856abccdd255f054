package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.opensipis.sip.message.Rfc4475;
import org.opensipis.sip.message.WireExchange;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.testing.Stack;

/**
 * The RFC 4475 messages end to end: as datagrams to the running UDP socket that receives INVITEs
 * (the registration engine's socket with the incoming-call handler), and over TCP to the app leg.
 * Each answer is the one in {@link Rfc4475}; nothing is answered 500, and both keep serving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Rfc4475EndToEndTest {

    static final List<Rfc4475.Case> CASES = Rfc4475.CASES;

    @TempDir
    static Path dir;
    static Stack stack;
    static ThreadOwner owner;
    static AppLegHarness app;
    final WireExchange exchange = new WireExchange();

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(dir, Duration.ofSeconds(3), List.of());
        owner = new ThreadOwner("rfc4475-app-owner");
        app = new AppLegHarness(owner);
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
        owner.close();
        stack.close();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void overUdpToTheSocketReceivingInvites(Rfc4475.Case c) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            WireExchange.Outcome o = exchange.udp(s, new InetSocketAddress("127.0.0.1", stack.engine.udpPort()), c.bytes());
            assertThat(o.codes()).as(c.file() + " (" + c.rfc() + "): " + o.raw())
                    .isEqualTo(c.udp() == 0 ? List.of() : List.of(c.udp()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void overTcpToTheAppLeg(Rfc4475.Case c) throws Exception {
        Rfc4475.StreamExpectation want = Rfc4475.stream(c);
        try (Socket s = new Socket("127.0.0.1", app.server.port())) {
            WireExchange.Outcome o = exchange.stream(s, Rfc4475.streamBytes(c), !want.closes());
            assertThat(want.metBy(o)).as(c.file() + " (" + c.rfc() + "): wanted " + want + ", got " + o.codes()
                    + (o.closed() ? " and closed" : "") + " " + o.raw()).isTrue();
        }
    }
}
