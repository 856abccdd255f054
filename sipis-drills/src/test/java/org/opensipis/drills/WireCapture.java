package org.opensipis.drills;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The REGISTERs on the wire towards the registrar: tcpdump on loopback (kernel time stamps, taken
 * as each packet arrives), so that the busiest 1-s window can be counted where the throttle's
 * promise applies, whatever the registrar's workers do with the packets afterwards. Kamailio's own
 * count ({@link Registrar#busiestSecond}) uses the time a worker picks a request up: a worker
 * that stalls a few tens of milliseconds on a loaded machine bunches the requests queued meanwhile.
 * Absent tcpdump (or not root), nothing is captured and the figure is -1.
 */
final class WireCapture implements AutoCloseable {

    private final Path file;
    private final Process tcpdump;

    WireCapture(Path file, String iface, int port) {
        this.file = file;
        Process p = null;
        if (Sh.available("/usr/bin/tcpdump")) {
            try {
                p = new ProcessBuilder("tcpdump", "-i", iface, "-n", "-s", "96", "-U", "-w", file.toString(),
                        "udp and dst port " + port).redirectErrorStream(true)
                        .redirectOutput(file.resolveSibling(file.getFileName() + ".log").toFile()).start();
                // tcpdump opens the file once it listens (bounded wait, no sleeping)
                for (int i = 0; i < 500 && p.isAlive() && !Files.exists(file); i++) {
                    p.waitFor(10, TimeUnit.MILLISECONDS);
                }
            } catch (IOException e) {
                p = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        this.tcpdump = p;
    }

    /** Arrival times (epoch microseconds) of the UDP REGISTERs captured so far; empty without tcpdump. */
    List<Long> registerTimes() {
        List<Long> out = new ArrayList<>();
        if (tcpdump == null || !Files.exists(file)) {
            return out;
        }
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (b.remaining() < 24) {
            return out;
        }
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        boolean nanos = magic == 0xa1b23c4d;
        int link = b.getInt(20);
        int linkHeader = link == 1 ? 14 : link == 113 ? 16 : link == 276 ? 20 : 0;
        byte[] register = "REGISTER".getBytes(StandardCharsets.US_ASCII);
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            long sec = b.getInt(pos) & 0xffffffffL;
            long frac = b.getInt(pos + 4) & 0xffffffffL;
            int caplen = b.getInt(pos + 8);
            int data = pos + 16;
            if (caplen < 0 || data + caplen > b.limit()) {
                break; // the record being written
            }
            int ip = data + linkHeader;
            if (caplen > linkHeader + 28 && (b.get(ip) >> 4) == 4) {
                int payload = ip + (b.get(ip) & 0x0f) * 4 + 8;
                if (payload + register.length <= data + caplen && startsWith(b, payload, register)) {
                    out.add(sec * 1_000_000L + (nanos ? frac / 1000 : frac));
                }
            }
            pos = data + caplen;
        }
        out.sort(null);
        return out;
    }

    private static boolean startsWith(ByteBuffer b, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (tcpdump != null) {
            tcpdump.destroy();
            try {
                tcpdump.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
