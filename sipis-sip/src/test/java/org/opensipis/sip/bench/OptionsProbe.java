package org.opensipis.sip.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Measures the registrar's own answer time while a bench phase runs: one OPTIONS every 20 ms from
 * a socket and thread of its own (not the engine's), round trip to its 200 recorded in 1 ms
 * buckets. Kamailio's UDP children read OPTIONS from the same socket queue as the engine's
 * REGISTERs, so a tail here that matches the engine's p99 is the registrar's (or the shared
 * cores'), not the engine's.
 */
final class OptionsProbe implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress registrar;
    private final long[] counts = new long[10_001];
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-options-probe");
        t.setDaemon(true);
        return t;
    });
    private final byte[] buf = new byte[65_535];
    private long seq;                                   // pacer thread only
    private long lost;

    OptionsProbe(int port) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(2_000);
        registrar = new InetSocketAddress("127.0.0.1", port);
        pacer.scheduleWithFixedDelay(this::probe, 0, 20, TimeUnit.MILLISECONDS);
    }

    /** One OPTIONS and its answer (or a 2-s timeout), on the pacer thread. */
    private void probe() {
        seq++;
        String branch = "z9hG4bKprobe" + seq;
        String req = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort()
                + ";branch=" + branch + "\r\nMax-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\n"
                + "To: <sip:127.0.0.1>\r\nCall-ID: probe-" + seq + "\r\nCSeq: " + seq + " OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        byte[] b = req.getBytes(StandardCharsets.US_ASCII);
        try {
            long t0 = System.nanoTime();
            socket.send(new DatagramPacket(b, b.length, registrar));
            for (int stray = 0; stray < 1_000; stray++) { // late answers to earlier probes are skipped
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                if (new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII).contains(branch)) {
                    record(System.nanoTime() - t0);
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            synchronized (this) {
                lost++;
            }
        } catch (IOException e) {
            pacer.shutdown(); // the socket is closed: the probe is over
        }
    }

    private synchronized void record(long nanos) {
        counts[(int) Math.min(counts.length - 1, nanos / 1_000_000)]++;
    }

    synchronized void reset() {
        Arrays.fill(counts, 0);
        lost = 0;
    }

    /** "n OPTIONS, p50 x ms, p99 y ms, max z ms, lost l". */
    synchronized String summary() {
        long total = Arrays.stream(counts).sum();
        return String.format("%d OPTIONS, p50 %d ms, p99 %d ms, max %d ms, lost %d", total, quantile(0.5, total),
                quantile(0.99, total), quantile(1.0, total), lost);
    }

    private long quantile(double q, long total) {
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long acc = 0;
        for (int i = 0; i < counts.length; i++) {
            acc += counts[i];
            if (acc >= rank) {
                return i;
            }
        }
        return 0;
    }

    @Override
    public void close() {
        pacer.shutdownNow();
        socket.close();
    }
}
