package org.opensipis.sip.bench;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opensipis.push.apns.MockApns;

/**
 * The push provider of scripts/bench-calls.sh, in its own process: sipis-push's test
 * {@link MockApns} (Pushy's MockApnsServer over TLS on a port chosen by the OS; Pushy's mock takes
 * no bind address, so it listens on all; the benchmark points only the sipis process on 127.0.0.1
 * at it), accepting every notification. Writes into DIR:
 * {@code AuthKey_KEYID12345.p8} (a signing key for the {@code <Apns KeyFile>} setting; the mock
 * does not verify tokens), {@code trust.p12} (its certificate, password {@code changeit}, for the
 * process's {@code javax.net.ssl.trustStore}), {@code port}, the count of rejected notifications
 * {@code rejected}, and one line per notification received, {@code pushes.txt}:
 * {@code <epoch µs> <type> <callId>}, stamped on arrival with the wall clock (the same clock SIPp's
 * gettimeofday reads). Runs until killed, or at the most MAX_SECONDS (default 6 hours).
 * <p>Usage: {@code PushEndpoint DIR [MAX_SECONDS]}
 */
public final class PushEndpoint {

    private static final Pattern CALL_ID = Pattern.compile("\"callId\":\"([^\"]*)\"");
    private static final Pattern TYPE = Pattern.compile("\"type\":\"([^\"]*)\"");
    private static final long DEFAULT_MAX_SECONDS = TimeUnit.HOURS.toSeconds(6);
    /** Lines written in one round at the most (the rest in the next). */
    private static final int MAX_BATCH = 100_000;

    private PushEndpoint() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long maxSeconds = args.length > 1 ? Long.parseLong(args[1]) : DEFAULT_MAX_SECONDS;
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        AtomicLong rejected = new AtomicLong();
        try (MockApns mock = new MockApns(dir, new AcceptAllPushNotificationHandlerFactory(),
                new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification n) {
                        Instant at = Instant.now();
                        String payload = n.getPayload();
                        Matcher c = CALL_ID.matcher(payload);
                        Matcher t = TYPE.matcher(payload);
                        lines.add((at.getEpochSecond() * 1_000_000L + at.getNano() / 1000) + " "
                                + (t.find() ? t.group(1) : "-") + " " + (c.find() ? c.group(1) : "-"));
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason reason,
                                                               Instant expired) {
                        rejected.incrementAndGet();
                    }
                })) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("mock-apns", mock.tls.cert);
            try (OutputStream out = Files.newOutputStream(dir.resolve("trust.p12"))) {
                trust.store(out, "changeit".toCharArray());
            }
            Files.writeString(dir.resolve("port"), Integer.toString(mock.port)); // last: the benchmark waits for it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            List<String> batch = new ArrayList<>();
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("pushes.txt"))) {
                while (System.nanoTime() - deadline < 0) { // until the benchmark kills this process, or the deadline
                    // waits for the next push (at most 200 ms) instead of sleeping between rounds
                    String first = lines.poll(200, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        batch.add(first);
                        lines.drainTo(batch, MAX_BATCH);
                        for (String l : batch) {
                            w.write(l);
                            w.write('\n');
                        }
                        batch.clear();
                    }
                    w.flush();
                    Files.writeString(dir.resolve("rejected"), Long.toString(rejected.get()));
                }
            }
        }
    }
}
