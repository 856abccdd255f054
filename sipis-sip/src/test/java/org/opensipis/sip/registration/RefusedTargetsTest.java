package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.abuse.PortSet;
import org.opensipis.core.abuse.TargetPolicy;
import org.opensipis.core.abuse.TargetRule;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.dns.DnsLookup;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;

/**
 * {@code <RegistrarTargets>} in the engine: a refused target puts the instance in Error with the
 * rule as its reason, and no packet is sent. Real UDP listeners on 127.0.0.x stand where the
 * REGISTER would have gone and must stay silent; names resolve through a fake DNS. Nothing is
 * ever sent off loopback: where a name also resolves to a link-local or metadata address, its
 * loopback address comes first, so a broken check would hit the listener, not the network.
 */
class RefusedTargetsTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A UDP socket on 127.0.0.x at a port the OS picks. */
    private DatagramSocket listener(String ip) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), 0));
        open.add(s);
        return s;
    }

    private static void assertSilent(DatagramSocket s) throws Exception {
        s.setSoTimeout(300);
        assertThatThrownBy(() -> s.receive(new DatagramPacket(new byte[2048], 2048)))
                .as("a datagram reached " + s.getLocalSocketAddress()).isInstanceOf(SocketTimeoutException.class);
    }

    private EngineHarness engine(TargetPolicy policy, Map<String, List<String>> names) throws Exception {
        DnsLookup dns = new DnsLookup() {
            @Override
            public List<Naptr> naptr(String domain) {
                return List.of();
            }

            @Override
            public List<Srv> srv(String name) {
                return List.of();
            }

            @Override
            public List<InetAddress> addresses(String host) {
                if (Cidr.literal(host).isPresent()) {
                    return List.of(Cidr.literal(host).get());
                }
                return names.getOrDefault(host, List.of()).stream().map(a -> Cidr.literal(a).orElseThrow()).toList();
            }
        };
        EngineHarness h = new EngineHarness(EngineHarness.settings(), Optional.empty(), List.of(), false,
                Duration.ofSeconds(30), dns, policy);
        open.add(h);
        return h;
    }

    private static TargetPolicy policy(TargetRule... rules) {
        return new TargetPolicy(true, PortSet.ALL, List.of(rules));
    }

    private static TargetRule rule(boolean allow, String network) {
        return new TargetRule(allow, Optional.empty(), Optional.of(Cidr.parse(network)), Optional.empty(), "test");
    }

    private static String refusedReason(EngineHarness h, String selector) {
        h.awaitState(selector, RegistrationState.ERROR);
        return h.engine.state(selector).map(InstanceState::reason).orElseThrow();
    }

    @Test
    void loopbackLiteralIsRefusedByDefaultAndNothingIsSent() throws Exception {
        DatagramSocket l = listener("127.0.0.2");
        EngineHarness h = engine(TargetPolicy.defaults(), Map.of());
        h.engine.register(EngineHarness.record("A1", "alice", "pw", "127.0.0.2", l.getLocalPort(), Transport.UDP),
                Optional.empty());
        assertThat(refusedReason(h, "A1")).contains("127.0.0.2").contains("loopback").contains("built-in rule");
        h.advance(Duration.ofMinutes(10)); // the retry is refused again
        assertThat(h.sent()).isZero();
        assertSilent(l);
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefused() throws Exception {
        DatagramSocket l = listener("127.0.0.7");
        EngineHarness h = engine(TargetPolicy.defaults(), Map.of("inward.example", List.of("127.0.0.7")));
        h.engine.register(EngineHarness.record("A2", "bob", "pw", "inward.example", l.getLocalPort(), Transport.UDP),
                Optional.empty());
        assertThat(refusedReason(h, "A2")).contains("inward.example -> 127.0.0.7").contains("loopback");
        assertThat(h.sent()).isZero();
        assertSilent(l);
    }

    @Test
    void everyResolvedAddressIsCheckedLinkLocalAndMetadataIncluded() throws Exception {
        DatagramSocket meta = listener("127.0.0.5");
        DatagramSocket link = listener("127.0.0.6");
        EngineHarness h = engine(EngineHarness.LOOPBACK, Map.of(
                "meta.example", List.of("127.0.0.5", "169.254.169.254"),
                "link.example", List.of("127.0.0.6", "169.254.7.7"),
                "v6meta.example", List.of("127.0.0.5", "fd00:ec2::254")));
        h.engine.register(EngineHarness.record("B1", "u1", "pw", "meta.example", meta.getLocalPort(), Transport.UDP),
                Optional.empty());
        h.engine.register(EngineHarness.record("B2", "u2", "pw", "link.example", link.getLocalPort(), Transport.UDP),
                Optional.empty());
        h.engine.register(EngineHarness.record("B3", "u3", "pw", "v6meta.example", meta.getLocalPort(), Transport.UDP),
                Optional.empty());
        assertThat(refusedReason(h, "B1")).contains("169.254.169.254").contains("cloud metadata");
        assertThat(refusedReason(h, "B2")).contains("169.254.7.7").contains("link-local");
        assertThat(refusedReason(h, "B3")).contains("fd00:ec2").contains("cloud metadata");
        assertThat(h.sent()).isZero();
        assertSilent(meta);
        assertSilent(link);
    }

    @Test
    void aDeniedNetworkIsRefusedEvenInsideAnAllowedOne() throws Exception {
        DatagramSocket denied = listener("127.0.0.3");
        EngineHarness h = engine(policy(rule(true, "127.0.0.0/8"), rule(false, "127.0.0.3/32")), Map.of());
        h.engine.register(EngineHarness.record("C1", "carol", "pw", "127.0.0.3", denied.getLocalPort(), Transport.UDP),
                Optional.empty());
        assertThat(refusedReason(h, "C1")).contains("RegistrarTargets/Deny[Network=\"127.0.0.3/32\"]");
        assertThat(h.sent()).isZero();
        assertSilent(denied);
    }

    @Test
    void anAllowedRangeRegistersWhenTheOperatorOptsIn() throws Exception {
        try (FakeRegistrar registrar = new FakeRegistrar()) {
            registrar.addUser("dave", "pw");
            EngineHarness allowed = engine(policy(rule(true, "127.0.0.0/8")), Map.of());
            allowed.engine.register(EngineHarness.record("D1", "dave", "pw", registrar.udpPort(), Transport.UDP),
                    Optional.empty());
            allowed.awaitState("D1", RegistrationState.REGISTERED);

            EngineHarness closed = engine(TargetPolicy.defaults(), Map.of());
            long before = registrar.registers();
            closed.engine.register(EngineHarness.record("D2", "dave", "pw", registrar.udpPort(), Transport.UDP),
                    Optional.empty());
            assertThat(refusedReason(closed, "D2")).contains("loopback");
            assertThat(closed.sent()).isZero();
            assertThat(registrar.registers()).isEqualTo(before);
        }
    }
}
