package org.opensipis.sip.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Debian's baresip (package baresip-core) as a SIP UA on loopback, driven through its ctrl_tcp
 * module (netstring-framed JSON commands, the same long commands as its menu: {@code listcalls},
 * {@code hangup}, ...). One account, registering over TCP through an outbound proxy; no audio
 * driver is loaded (the g711 codec only), and {@code net_interface 127.0.0.1} keeps the SDP and
 * RTP on loopback. Its output, with the SIP trace ({@code -s}), goes to {@code baresip.log}.
 */
public final class Baresip implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/baresip");
    private static final Path MODULES = Path.of("/usr/lib/baresip/modules");

    private final Path dir;
    private final Process process;
    private final Socket control;
    private final InputStream in;

    /**
     * Writes the configuration into {@code dir} and starts baresip with {@code account} (one
     * line of baresip's accounts file); returns once its control port accepts a connection.
     */
    public Baresip(Path dir, String account) throws IOException {
        this.dir = dir;
        int sipPort = Kamailio.freePortPair(); // baresip's TCP transport cannot listen on port 0; TLS takes the next
        int ctrlPort = Kamailio.freePort();
        Files.writeString(dir.resolve("config"), String.join("\n",
                "sip_listen\t127.0.0.1:" + sipPort,
                "net_interface\t127.0.0.1",
                "module_path\t" + MODULES,
                "module\tg711.so",
                "module_app\taccount.so",
                "module_app\tmenu.so",
                "module_app\tctrl_tcp.so",
                "ctrl_tcp_listen\t127.0.0.1:" + ctrlPort,
                "audio_player\tnull",
                "audio_source\tnull",
                ""));
        Files.writeString(dir.resolve("accounts"), account + "\n");
        process = new ProcessBuilder(BINARY.toString(), "-f", dir.toString(), "-s")
                .redirectErrorStream(true).redirectOutput(dir.resolve("baresip.log").toFile()).start();
        AtomicReference<Socket> s = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (!process.isAlive()) {
                    throw new IOException("baresip exited with " + process.exitValue() + ":\n" + log());
                }
                try {
                    s.set(new Socket("127.0.0.1", ctrlPort));
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw new IOException("baresip's control port " + ctrlPort + " did not open; it said:\n" + log(), e);
        }
        control = s.get();
        control.setSoTimeout(5000);
        in = control.getInputStream();
    }

    /**
     * Runs a command (with optional parameters) and returns the JSON response (events that
     * arrive in between are skipped). Each read waits at most 5 s.
     */
    public String command(String command) throws IOException {
        byte[] json = ("{\"command\":\"" + command + "\",\"token\":\"t\"}").getBytes(StandardCharsets.UTF_8);
        var out = control.getOutputStream();
        out.write((json.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.write(',');
        out.flush();
        for (int i = 0; i < 100; i++) {
            String m = netstring();
            if (m.contains("\"response\":true")) {
                return m;
            }
        }
        throw new IOException("no response to " + command + " among 100 messages from baresip");
    }

    /** {@code listcalls}: true when baresip has a call in state ESTABLISHED. */
    public boolean inEstablishedCall() throws IOException {
        return command("listcalls").contains("ESTABLISHED");
    }

    /** {@code listcalls}: true when baresip has no call (any state). */
    public boolean idle() throws IOException {
        return command("listcalls").contains("Active calls (0)");
    }

    /** Everything baresip printed so far (complete once it has exited). */
    public String log() throws IOException {
        return Files.readString(dir.resolve("baresip.log"), StandardCharsets.ISO_8859_1);
    }

    private String netstring() throws IOException {
        int len = 0;
        for (int c; (c = in.read()) != ':'; ) {
            if (c < '0' || c > '9' || len > 1_000_000) {
                throw new IOException("bad netstring length from baresip (" + c + ")");
            }
            len = len * 10 + (c - '0');
        }
        byte[] b = in.readNBytes(len);
        if (b.length != len || in.read() != ',') {
            throw new IOException("truncated netstring from baresip");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** SIGTERM (baresip unregisters and exits), SIGKILL if it is still running after 10 s. */
    @Override
    public void close() throws IOException {
        try {
            control.close();
        } finally {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
