package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;

/** RFC 3261 17.1.3: only responses matching a REGISTER's branch and CSeq method count as REGISTER answers. */
class StrayResponsesTest {

    private static final String SEL = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";

    private static String response(String branch, String cseq) {
        return "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + "\r\n"
                + "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: stray@x\r\nCSeq: " + cseq + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void responsesMatchingNoTransactionAreCountedAsStray() throws Exception {
        try (FakeRegistrar registrar = new FakeRegistrar(); EngineHarness h = new EngineHarness(EngineHarness.settings());
             DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            registrar.addUser("alice", "secret");
            h.engine.register(EngineHarness.record(SEL, "alice", "secret", registrar.udpPort(), Transport.UDP),
                    Optional.empty());
            h.awaitState(SEL, org.opensipis.core.instance.RegistrationState.REGISTERED);
            long answers = h.engine.stats().responsesByCode().values().stream().mapToLong(Long::longValue).sum();
            String ours = registrar.received.get(registrar.received.size() - 1).topBranch();
            for (String[] r : new String[][] {{"z9hG4bKnobody", "1 REGISTER"}, {ours, "7 INVITE"}}) {
                byte[] b = response(r[0], r[1]).getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), h.engine.udpPort()));
            }
            await().until(() -> h.engine.stats().strayResponses() == 2);
            assertThat(h.engine.stats().responsesByCode().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(answers);
        }
    }
}
