package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.dns.DnsLookup;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;

/** RFC 3263 failover between two loopback registrars, and keep-alives on UDP and TCP flows. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowAndFailoverTest {

    @Test
    void serviceUnavailableFailsOverToTheNextSrvTarget() throws Exception {
        try (FakeRegistrar first = new FakeRegistrar(); FakeRegistrar second = new FakeRegistrar()) {
            first.addUser("alice", "secret");
            second.addUser("alice", "secret");
            first.challenge = false;
            first.script.add(req -> FakeRegistrar.response(req, 503, "Service Unavailable", ""));
            DnsLookup dns = new DnsLookup() {
                @Override
                public List<Naptr> naptr(String domain) {
                    return List.of();
                }

                @Override
                public List<Srv> srv(String name) {
                    return name.equals("_sip._udp.registrar.test")
                            ? List.of(new Srv(1, 0, first.udpPort(), "a.registrar.test"),
                                      new Srv(2, 0, second.udpPort(), "b.registrar.test"))
                            : List.of();
                }

                @Override
                public List<InetAddress> addresses(String host) {
                    return List.of(InetAddress.getLoopbackAddress());
                }
            };
            try (EngineHarness h = new EngineHarness(EngineHarness.settings(), Optional.empty(), false,
                    Duration.ofSeconds(30), dns)) {
                h.engine.register(EngineHarness.record("AA01", "alice", "secret", "registrar.test", 0, Transport.UDP),
                        Optional.empty());
                h.awaitState("AA01", RegistrationState.ERROR);
                h.advance(Duration.ofSeconds(10));
                h.awaitState("AA01", RegistrationState.REGISTERED);
                assertThat(first.registers()).isEqualTo(1);
                assertThat(second.bindings).hasSize(1);
            }
        }
    }

    @Test
    void keepAlivesFlowOnUdpAndTcp() throws Exception {
        try (FakeRegistrar registrar = new FakeRegistrar()) {
            registrar.addUser("alice", "secret");
            registrar.addUser("bob", "secret");
            try (EngineHarness h = new EngineHarness(EngineHarness.settings(), Optional.empty(), true,
                    Duration.ofMillis(50))) {
                h.engine.register(EngineHarness.record("BB01", "alice", "secret", registrar.udpPort(), Transport.UDP),
                        Optional.empty());
                h.engine.register(EngineHarness.record("BB02", "bob", "secret", registrar.tcpPort(), Transport.TCP),
                        Optional.empty());
                h.awaitState("BB01", RegistrationState.REGISTERED);
                h.awaitState("BB02", RegistrationState.REGISTERED);
                int before = registrar.keepAlives.get();
                h.settle(() -> registrar.keepAlives.get() >= before + 6);
            }
        }
    }
}
