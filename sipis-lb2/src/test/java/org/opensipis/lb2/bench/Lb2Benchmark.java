package org.opensipis.lb2.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.lb2.LoadBalancer;

/**
 * Forwarded messages per second and added latency of LB2, on loopback: C app connections each
 * send REGISTERs one after another (request → 200 from a minimal backend) for D seconds,
 * once through LB2 and once directly to the backend; prints throughput and latency
 * percentiles of both. Not a test; run with scripts/bench-lb2.sh.
 */
public final class Lb2Benchmark {

    private Lb2Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        try (ServerSocket backend = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            startBackend(backend);
            HostPort b = new HostPort("127.0.0.1", backend.getLocalPort());
            Lb2Settings s = new Lb2Settings(Path.of("bench"), List.of(), List.of(new HostPort("127.0.0.1", 0)), List.of(),
                    new Lb2Settings.TlsOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of()),
                    List.of(new Backend(Optional.of("S"), SelectorPrefix.ALL, "", b, Path.of("bench"), 1)));
            try (LoadBalancer lb = LoadBalancer.start(s, 1)) {
                InetSocketAddress front = lb.tcpAddresses().get(0);
                run("warm-up via LB2", front, connections, Math.min(3, seconds));
                Result direct = run("direct", new InetSocketAddress("127.0.0.1", backend.getLocalPort()), connections, seconds);
                Result via = run("via LB2", front, connections, seconds);
                System.out.printf("added latency: p50 %.3f ms, p99 %.3f ms%n", (via.p50 - direct.p50) / 1e6, (via.p99 - direct.p99) / 1e6);
                System.out.println("LB2 stats: " + lb.stats());
            }
        }
    }

    record Result(double rate, long p50, long p99) {
    }

    private static Result run(String label, InetSocketAddress target, int connections, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[][] samples = new long[connections][];
        int[] counts = new int[connections];
        CountDownLatch done = new CountDownLatch(connections);
        AtomicLong total = new AtomicLong();
        for (int c = 0; c < connections; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                long[] lat = new long[500_000];
                int n = 0;
                try (Socket sock = new Socket(target.getAddress(), target.getPort())) {
                    sock.setTcpNoDelay(true);
                    OutputStream out = sock.getOutputStream();
                    InputStream in = new java.io.BufferedInputStream(sock.getInputStream());
                    byte[] buf = new byte[4096];
                    int cseq = 0;
                    while (System.nanoTime() < end && n < lat.length) {
                        byte[] req = request(id, ++cseq);
                        long t0 = System.nanoTime();
                        out.write(req);
                        readReply(in, buf);
                        lat[n++] = System.nanoTime() - t0;
                    }
                } catch (IOException e) {
                    System.err.println(label + " connection " + id + ": " + e);
                }
                samples[id] = lat;
                counts[id] = n;
                total.addAndGet(n);
                done.countDown();
            });
            t.start();
        }
        done.await();
        long[] all = new long[(int) total.get()];
        int k = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(samples[c], 0, all, k, counts[c]);
            k += counts[c];
        }
        Arrays.sort(all);
        double rate = all.length / (double) seconds;
        long p50 = all.length == 0 ? 0 : all[all.length / 2];
        long p99 = all.length == 0 ? 0 : all[(int) (all.length * 0.99)];
        System.out.printf("%-16s %d connections: %.0f request/response pairs/s (%.0f messages/s), p50 %.3f ms, p99 %.3f ms%n",
                label, connections, rate, 2 * rate, p50 / 1e6, p99 / 1e6);
        return new Result(rate, p50, p99);
    }

    private static byte[] request(int id, int cseq) {
        String sel = String.format("%08X", id * 2654435761L & 0xffffffffL) + "2869E0E6E553673C54F29105A0647204C:7C3A0D14";
        return ("REGISTER sip:sipis SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK" + cseq + "\r\n"
                + "From: <sip:" + sel + "@sipis>;tag=" + id + "\r\nTo: <sip:" + sel + "@sipis>\r\nCall-ID: c" + id + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\nContact: <sip:app@127.0.0.1:5060;transport=tcp>\r\nExpires: 600\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads until the end of one header section (replies here have no body). */
    private static void readReply(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            buf[n++ % buf.length] = (byte) b;
            if (n >= 4 && b == '\n' && buf[(n - 2) % buf.length] == '\r' && buf[(n - 3) % buf.length] == '\n') {
                return;
            }
        }
    }

    /** A minimal backend: answers each request with a fixed 200 OK. */
    private static void startBackend(ServerSocket server) {
        byte[] ok = "SIP/2.0 200 OK\r\nVia: x\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    Thread t = new Thread(() -> {
                        try (s; InputStream in = new java.io.BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
                            byte[] buf = new byte[4096];
                            while (true) {
                                readRequest(in, buf);
                                out.write(ok);
                            }
                        } catch (IOException e) {
                            // closed
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void readRequest(InputStream in, byte[] buf) throws IOException {
        readReply(in, buf);
    }
}
