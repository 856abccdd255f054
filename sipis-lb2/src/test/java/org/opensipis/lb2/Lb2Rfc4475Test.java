package org.opensipis.lb2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.sip.message.Rfc4475;
import org.opensipis.sip.message.WireExchange;

/**
 * The RFC 4475 messages sent to LB2 over UDP and TCP: it parses with the same wire layer as
 * SIPIS, so a message the RFC calls invalid gets 400/505 from LB2 itself, an unanswerable one is
 * dropped, and a valid request gets LB2's own answer (404: the fixtures' users match no Backend).
 */
@Timeout(60)
class Lb2Rfc4475Test {

    static final List<Rfc4475.Case> CASES = Rfc4475.CASES;
    static FakeSipis backend;
    static LoadBalancer lb;
    final WireExchange exchange = new WireExchange();

    @BeforeAll
    static void start() throws Exception {
        backend = new FakeSipis("Sipis1");
        HostPort any = new HostPort("127.0.0.1", 0);
        Backend b = new Backend(Optional.of("Sipis1"), SelectorPrefix.parse("0/2"), "", new HostPort("127.0.0.1",
                backend.port()), Path.of("Settings.xml"), 1);
        lb = LoadBalancer.start(new Lb2Settings(Path.of("Settings.xml"), List.of(any), List.of(any), List.of(),
                new Lb2Settings.TlsOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()), List.of(b)), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        lb.close();
        backend.close();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void overUdp(Rfc4475.Case c) throws Exception {
        Rfc4475.StreamExpectation want = datagram(c);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            WireExchange.Outcome o = exchange.udp(s, lb.udpAddresses().get(0), c.bytes());
            assertThat(want.metBy(o)).as(c.file() + ": wanted " + want + ", got " + o.codes() + " " + o.raw()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void overTcp(Rfc4475.Case c) throws Exception {
        Rfc4475.StreamExpectation want = Rfc4475.stream(c);
        try (Socket s = new Socket(lb.tcpAddresses().get(0).getAddress(), lb.tcpAddresses().get(0).getPort())) {
            WireExchange.Outcome o = exchange.stream(s, Rfc4475.streamBytes(c), !want.closes());
            assertThat(want.metBy(o)).as(c.file() + ": wanted " + want + ", got " + o.codes()
                    + (o.closed() ? " and closed" : "") + " " + o.raw()).isTrue();
        }
    }

    /** On a datagram the parser's verdict decides; a valid request gets LB2's own answer. */
    private static Rfc4475.StreamExpectation datagram(Rfc4475.Case c) {
        switch (c.parse()) {
            case ANSWER_400:
                return new Rfc4475.StreamExpectation(List.of(400), false);
            case ANSWER_505:
                return new Rfc4475.StreamExpectation(List.of(505), false);
            case DROP:
                return new Rfc4475.StreamExpectation(List.of(), false);
            default:
                return new Rfc4475.StreamExpectation(c.isResponse() ? List.of() : List.of(-1), false);
        }
    }
}
