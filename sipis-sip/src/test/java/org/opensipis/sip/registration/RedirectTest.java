package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opensipis.core.instance.RegistrationState.ERROR;
import static org.opensipis.core.instance.RegistrationState.REGISTERED;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.dns.Target;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;

/** REGISTER 3xx: followed to the Contact of the redirect, bounded, and never to another kind of address. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedirectTest {

    private static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    private final FakeRegistrar first;
    private final FakeRegistrar second;
    private final EngineHarness h;

    RedirectTest() throws Exception {
        first = new FakeRegistrar();
        second = new FakeRegistrar();
        first.addUser("alice", "secret");
        second.addUser("alice", "secret");
        h = new EngineHarness(EngineHarness.settings());
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
        first.close();
        second.close();
    }

    private static String moved(SipMessage req, String contact) {
        return FakeRegistrar.response(req, 302, "Moved Temporarily", "Contact: " + contact + "\r\n");
    }

    @Test
    void aRedirectIsFollowedToItsContact() {
        first.script.add(req -> moved(req, "<sip:127.0.0.1:" + second.udpPort() + ";transport=udp>"));
        h.engine.register(EngineHarness.record(SEL, "alice", "secret", first.udpPort(), Transport.UDP), Optional.empty());
        h.awaitState(SEL, REGISTERED);
        assertThat(first.registers()).isEqualTo(1);
        assertThat(second.bindings).isNotEmpty();
        assertThat(second.received.get(0).requestUri()).isEqualTo("sip:127.0.0.1"); // the Request-URI stays
    }

    @Test
    void redirectsAreFollowedAtMostThreeTimesInARow() {
        for (int i = 0; i < 10; i++) {
            first.script.add(req -> moved(req, "<sip:127.0.0.1:" + first.udpPort() + ">"));
        }
        h.engine.register(EngineHarness.record(SEL, "alice", "secret", first.udpPort(), Transport.UDP), Optional.empty());
        h.awaitState(SEL, ERROR);
        assertThat(first.registers()).isEqualTo(1 + Redirects.MAX_HOPS);
        assertThat(h.engine.state(SEL).orElseThrow().reason()).contains("302");
    }

    @Test
    void aRedirectToAnotherKindOfAddressIsRefused() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5060);
        List<Target> targets = List.of(new Target(Transport.UDP, new InetSocketAddress("10.1.2.3", 5060), "10.1.2.3"),
                new Target(Transport.UDP, new InetSocketAddress("127.0.0.2", 5060), "127.0.0.2"),
                new Target(Transport.UDP, new InetSocketAddress("192.0.2.7", 5060), "192.0.2.7"),
                new Target(Transport.UDP, new InetSocketAddress("224.0.0.1", 5060), "224.0.0.1"));
        assertThat(Redirects.sameScope(targets, loopback)).extracting(t -> t.address().getHostString())
                .containsExactly("127.0.0.2");
        assertThat(Redirects.sameScope(targets, new InetSocketAddress("198.51.100.1", 5060)))
                .extracting(t -> t.address().getHostString()).containsExactly("192.0.2.7");

        // end to end: a loopback registrar pointing us at a private address puts the instance in Error
        first.script.add(req -> moved(req, "<sip:10.255.255.1:5060>"));
        h.engine.register(EngineHarness.record(SEL, "alice", "secret", first.udpPort(), Transport.UDP), Optional.empty());
        h.awaitState(SEL, ERROR);
        // refused by the registrar-target policy (private ranges are not opted in) or by the same-scope rule
        assertThat(h.engine.state(SEL).orElseThrow().reason()).contains("10.255.255.1").contains("refused");
    }

    @Test
    void theContactGivesHostPortAndTransport() {
        SipAccount a = EngineHarness.record(SEL, "alice", "secret", 5060, Transport.UDP).account();
        SipMessage m = SipMessage.parse("SIP/2.0 301 Moved\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\n"
                + "To: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nContact: <tel:+1555>, <sips:reg@[2001:db8::1]:5071>\r\n"
                + "Content-Length: 0\r\n\r\n");
        SipAccount next = Redirects.nextHop(a, m).orElseThrow();
        assertThat(next.proxy()).contains("2001:db8::1");
        assertThat(next.port()).isEqualTo(5071);
        assertThat(next.transport()).isEqualTo(Transport.TLS);
        assertThat(next.domain()).isEqualTo(a.domain());
    }
}
