package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.lb2.LoadBalancer;
import org.opensipis.sip.message.SipMessage;

/**
 * The contract end to end through the project's LB2: the app registers via LB2's TCP frontend,
 * LB2 routes the flow by the To user to this app leg, and a request sent over
 * {@link AppLegServer#flowOf} comes back to the app over the same LB2 flow.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThroughLb2Test {

    static final String SEL = AppLegServerTest.SEL;

    @Test
    void anAppRegistersThroughLb2AndIsReachedBackOverItsFlow() throws Exception {
        try (AppLegHarness h = new AppLegHarness()) {
            h.directory.records.put(SEL, AppLegHarness.record(SEL, AppLegServerTest.SECRET));
            HostPort any = new HostPort("127.0.0.1", 0);
            Backend self = new Backend(Optional.of("Sipis1"), SelectorPrefix.parse(""), "",
                    new HostPort("127.0.0.1", h.server.port()), Path.of("LoadBalancer2.xml"), 1);
            Lb2Settings lb2Settings = new Lb2Settings(Path.of("LoadBalancer2.xml"), List.of(), List.of(any), List.of(),
                    new Lb2Settings.TlsOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()), List.of(self));
            try (LoadBalancer lb = LoadBalancer.start(lb2Settings, 1)) {
                InetSocketAddress front = lb.tcpAddresses().get(0);
                try (AppClient app = new AppClient(new Socket(front.getAddress(), front.getPort()))) {
                    SipMessage ok = h.register(app, AppLegServerTest.TO_USER, SEL, AppLegServerTest.SECRET, 600,
                            "X-Sipis-Pairing-Id: p-7");
                    assertThat(ok.status()).isEqualTo(200);
                    assertThat(h.presence.drain()).containsExactly("foreground " + SEL, "progress " + SEL + " p-7");

                    h.server.flowOf(SEL).orElseThrow().send("OPTIONS sip:app@10.0.0.5:50123;transport=tcp SIP/2.0\r\n"
                            + "Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-lb2\r\nFrom: <sip:p@h>;tag=1\r\nTo: <sip:app@h>\r\nCall-ID: lb2-1\r\nCSeq: 1 OPTIONS\r\n"
                            + "Content-Length: 0\r\n\r\n");
                    assertThat(SipMessage.parse(h.next(app)).callId()).isEqualTo("lb2-1");

                    app.send("\r\n\r\n");
                    assertThat(h.next(app)).isEqualTo(AppClient.PONG); // answered by LB2 or by us
                }
            }
        }
    }
}
