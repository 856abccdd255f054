package org.opensipis.sip.app;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.opensipis.sip.digest.DigestAuthorizer;

/**
 * Server-side digest (RFC 3261 section 22, RFC 7616; MD5, qop=auth) with stateless nonces: a
 * nonce is {@code base64url(expiry millis | HMAC-SHA256(key, expiry | selector)[0..16])}, so no
 * nonce table is kept. The key is random per process: after a restart old nonces are answered
 * with a fresh challenge ({@code stale=true}), never counted as failures. Replays of a captured
 * answer within the nonce's lifetime are not detected (TCP/TLS flows; see docs/app-protocol.md).
 * Thread-safe (the Mac is created per call).
 */
final class DigestVerifier {

    enum Result { OK, STALE, BAD_NONCE, BAD_CREDENTIALS }

    private static final int MAC_BYTES = 16;
    private final byte[] key;
    private final String realm;
    private final Duration lifetime;
    private final Clock clock;

    DigestVerifier(String realm, Duration lifetime, Clock clock) {
        this(randomKey(), realm, lifetime, clock);
    }

    DigestVerifier(byte[] key, String realm, Duration lifetime, Clock clock) {
        this.key = key.clone();
        this.realm = realm;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    private static byte[] randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    String realm() {
        return realm;
    }

    /** A {@code WWW-Authenticate} value for the selector. */
    String challenge(String selector, boolean stale) {
        return "Digest realm=\"" + realm + "\", nonce=\"" + nonce(selector) + "\", qop=\"auth\", algorithm=MD5"
                + (stale ? ", stale=true" : "");
    }

    String nonce(String selector) {
        long expiry = clock.millis() + lifetime.toMillis();
        byte[] out = ByteBuffer.allocate(8 + MAC_BYTES).putLong(expiry).put(mac(expiry, selector)).array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /**
     * Checks credentials for {@code method} against the selector's secret. The username must
     * already have been matched to the selector by the caller.
     */
    Result verify(DigestCredentials c, String selector, String method, String password) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(c.nonce());
        } catch (IllegalArgumentException e) {
            return Result.BAD_NONCE;
        }
        if (raw.length != 8 + MAC_BYTES || !realm.equals(c.realm())) {
            return Result.BAD_NONCE;
        }
        long expiry = ByteBuffer.wrap(raw).getLong();
        if (!MessageDigest.isEqual(Arrays.copyOfRange(raw, 8, raw.length), mac(expiry, selector))) {
            return Result.BAD_NONCE;
        }
        if (!"MD5".equalsIgnoreCase(c.algorithm())) {
            return Result.BAD_CREDENTIALS;
        }
        String ha1 = DigestAuthorizer.hash("MD5", c.username() + ":" + realm + ":" + password);
        String ha2 = DigestAuthorizer.hash("MD5", method + ":" + c.uri());
        String expected;
        if (c.qop() == null) {
            expected = DigestAuthorizer.hash("MD5", ha1 + ":" + c.nonce() + ":" + ha2);
        } else if ("auth".equalsIgnoreCase(c.qop()) && c.nc() != null && c.cnonce() != null) {
            expected = DigestAuthorizer.hash("MD5", ha1 + ":" + c.nonce() + ":" + c.nc() + ":" + c.cnonce() + ":auth:" + ha2);
        } else {
            return Result.BAD_CREDENTIALS;
        }
        boolean match = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                c.response().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        if (!match) {
            return Result.BAD_CREDENTIALS;
        }
        return expiry < clock.millis() ? Result.STALE : Result.OK;
    }

    private byte[] mac(long expiry, String selector) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            m.update(ByteBuffer.allocate(8).putLong(expiry).array());
            m.update(selector.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(m.doFinal(), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCA lacks HmacSHA256", e);
        }
    }
}
