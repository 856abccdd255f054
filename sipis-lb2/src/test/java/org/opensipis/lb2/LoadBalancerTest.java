package org.opensipis.lb2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;

/** The seed's single-machine layout (0/2, 4/2, 8/2, C/2) on loopback, with stand-in SIPIS processes. */
@Timeout(60)
class LoadBalancerTest {

    private final List<FakeSipis> backends = new ArrayList<>();
    private LoadBalancer lb;

    @BeforeEach
    void start() throws Exception {
        String[] prefixes = {"0/2", "4/2", "8/2", "C/2"};
        List<Backend> entries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FakeSipis f = new FakeSipis("Sipis" + (i + 1));
            backends.add(f);
            entries.add(new Backend(Optional.of(f.name), SelectorPrefix.parse(prefixes[i]), "",
                    new HostPort("127.0.0.1", f.port()), Path.of("Settings.xml"), i + 1));
        }
        lb = LoadBalancer.start(settings(entries), 2);
    }

    private static Lb2Settings settings(List<Backend> entries) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new Lb2Settings(Path.of("Settings.xml"), List.of(any), List.of(any), List.of(),
                new Lb2Settings.TlsOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()), entries);
    }

    @AfterEach
    void stop() throws IOException {
        lb.close();
        for (FakeSipis f : backends) {
            f.close();
        }
    }

    private static String selector(char first) {
        return first + "2869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    }

    @Test
    void tcpAppsReachTheProcessOwningTheirQuarterAndGetReplies() throws Exception {
        InetSocketAddress front = lb.tcpAddresses().get(0);
        char[] firsts = {'1', '5', '9', 'D'};
        for (int i = 0; i < 4; i++) {
            try (Socket app = new Socket(front.getAddress(), front.getPort())) {
                app.setSoTimeout(10_000);
                OutputStream out = app.getOutputStream();
                InputStream in = app.getInputStream();
                out.write(SipWire.register(selector(firsts[i]), "com.example.app", 1).getBytes(StandardCharsets.UTF_8));
                out.flush();
                String reply = SipWire.read(in);
                assertThat(SipWire.header(reply, "X-Backend")).isEqualTo("Sipis" + (i + 1));
                // the same flow carries later requests and the process's own requests back to the app
                out.write(SipWire.register(selector(firsts[i]), "com.example.app", 2).getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(SipWire.header(SipWire.read(in), "CSeq")).isEqualTo("2 REGISTER");
                String invite = "INVITE sip:app@127.0.0.1:5555 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:14998;branch=z9hG4bK-i\r\n"
                        + "From: <sip:caller@x>;tag=c\r\nTo: <sip:app@x>\r\nCall-ID: inv\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
                backends.get(i).sendToLastFlow(invite);
                assertThat(SipWire.read(in)).startsWith("INVITE sip:app@127.0.0.1:5555");
            }
        }
        for (int i = 0; i < 4; i++) {
            assertThat(backends.get(i).received).hasSize(2);
        }
    }

    @Test
    void udpAppsAreRoutedAndRepliesComeBackAsDatagrams() throws Exception {
        InetSocketAddress front = lb.udpAddresses().get(0);
        try (DatagramSocket app = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            app.setSoTimeout(10_000);
            String reg = SipWire.register(selector('E'), "com.example.app", 1).replace("Content-Length: 0\r\n", "");
            byte[] b = reg.getBytes(StandardCharsets.UTF_8);
            app.send(new DatagramPacket(b, b.length, front));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            app.receive(p);
            String reply = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
            assertThat(SipWire.header(reply, "X-Backend")).isEqualTo("Sipis4");
            // LB2 added the Content-Length the datagram lacked
            assertThat(SipWire.header(backends.get(3).received.get(0), "Content-Length")).isEqualTo("0");
        }
    }

    @Test
    void unreachableBackendGets503WithRetryAfter() throws Exception {
        backends.get(1).close();
        InetSocketAddress front = lb.tcpAddresses().get(0);
        try (Socket app = new Socket(front.getAddress(), front.getPort())) {
            app.setSoTimeout(10_000);
            app.getOutputStream().write(SipWire.register(selector('6'), "a", 1).getBytes(StandardCharsets.UTF_8));
            String reply = SipWire.read(app.getInputStream());
            assertThat(reply).startsWith("SIP/2.0 503 Service Unavailable");
            assertThat(SipWire.header(reply, "Retry-After")).isEqualTo("5");
            assertThat(SipWire.header(reply, "Call-ID")).isEqualTo("call-" + selector('6'));
        }
        assertThat(lb.stats().backendFailures()).isEqualTo(1);
    }

    @Test
    void malformedTrafficIsCountedAndDoesNotHurtOthers() throws Exception {
        InetSocketAddress front = lb.tcpAddresses().get(0);
        try (Socket junk = new Socket(front.getAddress(), front.getPort())) {
            junk.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            junk.setSoTimeout(10_000);
            assertThat(junk.getInputStream().read()).isEqualTo(-1);
        }
        try (DatagramSocket udpJunk = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] b = "\u0000\u0001garbage".getBytes(StandardCharsets.UTF_8);
            udpJunk.send(new DatagramPacket(b, b.length, lb.udpAddresses().get(0)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> lb.stats().malformed() >= 2);
        try (Socket app = new Socket(front.getAddress(), front.getPort())) {
            app.setSoTimeout(10_000);
            app.getOutputStream().write(SipWire.register(selector('0'), "a", 1).getBytes(StandardCharsets.UTF_8));
            assertThat(SipWire.header(SipWire.read(app.getInputStream()), "X-Backend")).isEqualTo("Sipis1");
        }
    }

    @Test
    void keepAlivePingGetsAPongAndNoSelectorGets404() throws Exception {
        InetSocketAddress front = lb.tcpAddresses().get(0);
        try (Socket app = new Socket(front.getAddress(), front.getPort())) {
            app.setSoTimeout(10_000);
            app.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(app.getInputStream().readNBytes(2)).isEqualTo(new byte[] {'\r', '\n'});
            app.getOutputStream().write(("OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/TCP x;branch=z9hG4bK-o\r\nFrom: <sip:a@h>;tag=1\r\n"
                    + "To: <sip:h>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(SipWire.read(app.getInputStream())).startsWith("SIP/2.0 404 Not Found");
        }
    }

    @Test
    void reloadRoutesNewFlowsByTheNewTable() throws Exception {
        FakeSipis only = backends.get(2);
        lb.reload(settings(List.of(new Backend(Optional.of(only.name), SelectorPrefix.ALL, "",
                new HostPort("127.0.0.1", only.port()), Path.of("Settings.xml"), 1))));
        InetSocketAddress front = lb.tcpAddresses().get(0);
        try (Socket app = new Socket(front.getAddress(), front.getPort())) {
            app.setSoTimeout(10_000);
            app.getOutputStream().write(SipWire.register(selector('0'), "a", 1).getBytes(StandardCharsets.UTF_8));
            assertThat(SipWire.header(SipWire.read(app.getInputStream()), "X-Backend")).isEqualTo("Sipis3");
        }
    }
}
