package org.opensipis.sip.bench;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The push provider of scripts/bench-calls.sh, in its own process: Pushy's MockApnsServer over
 * TLS on a port chosen by the OS (Pushy's mock takes no bind address, so it listens on all;
 * the benchmark points only the sipis process on 127.0.0.1 at it), accepting every notification. Writes into DIR:
 * {@code AuthKey_KEYID12345.p8} (a signing key for the {@code <Apns KeyFile>} setting; the mock
 * does not verify tokens), {@code trust.p12} (its certificate, password {@code changeit}, for the
 * process's {@code javax.net.ssl.trustStore}), {@code port}, and one line per notification
 * received, {@code pushes.txt}: {@code <epoch µs> <type> <callId>}, stamped on arrival with the
 * wall clock (the same clock SIPp's gettimeofday reads). Runs until killed.
 * <p>Usage: {@code PushEndpoint DIR}
 */
public final class PushEndpoint {

    private static final Pattern CALL_ID = Pattern.compile("\"callId\":\"([^\"]*)\"");
    private static final Pattern TYPE = Pattern.compile("\"type\":\"([^\"]*)\"");

    private PushEndpoint() {
    }

    @SuppressWarnings("deprecation")
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        KeyPair tls = ec();
        X509Certificate cert = selfSigned(tls);
        KeyPair signing = ec();
        Files.writeString(dir.resolve("AuthKey_KEYID12345.p8"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(signing.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("mock-apns", cert);
        try (FileOutputStream out = new FileOutputStream(dir.resolve("trust.p12").toFile())) {
            trust.store(out, "changeit".toCharArray());
        }
        java.util.concurrent.LinkedBlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        AtomicLong rejected = new AtomicLong();
        MockApnsServer server = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {cert}, tls.getPrivate(), null)
                .setEventLoopGroup(new NioEventLoopGroup(1))
                .setHandlerFactory(new AcceptAllPushNotificationHandlerFactory())
                .setListener(new ParsingMockApnsServerListenerAdapter() {
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
                })
                .build();
        int port = server.start(0).get();
        Files.writeString(dir.resolve("port"), Integer.toString(port));
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("pushes.txt"))) {
            while (true) { // until the benchmark kills this process
                // waits for the next push (at most 200 ms) instead of sleeping between rounds
                for (String l = lines.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS); l != null; l = lines.poll()) {
                    w.write(l);
                    w.write('\n');
                }
                w.flush();
                Files.writeString(dir.resolve("rejected"), Long.toString(rejected.get()));
            }
        }
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair kp) throws Exception {
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(2))), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }
}
