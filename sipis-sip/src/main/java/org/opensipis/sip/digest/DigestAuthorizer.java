package org.opensipis.sip.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/**
 * Computes {@code Authorization} / {@code Proxy-Authorization} values for a challenge. Each answer
 * gets a fresh random cnonce and the challenge's next nonce count. Thread-safe (no mutable state
 * beyond the random source, which is thread-safe).
 */
public final class DigestAuthorizer {

    private static final HexFormat HEX = HexFormat.of();
    private final Random random;

    /**
     * With a {@link SecureRandom} for cnonces: a DRBG where the JDK has one, which needs no read
     * of /dev/urandom per cnonce as the default NativePRNG does (a system call per REGISTER).
     */
    public DigestAuthorizer() {
        this(cnonceRandom());
    }

    private static SecureRandom cnonceRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /** With a given random source (tests pass a seeded one for fixed fixtures). */
    public DigestAuthorizer(Random random) {
        this.random = random;
    }

    /** The header name to send for this challenge. */
    public static String headerName(DigestChallenge c) {
        return c.proxy() ? "Proxy-Authorization" : "Authorization";
    }

    /**
     * The header value answering {@code c} for {@code method uri} with an empty body.
     *
     * @param password the clear password; the caller reveals it only for this call
     */
    public String authorize(DigestChallenge c, String username, String password, String method, String uri) {
        byte[] cn = new byte[8];
        random.nextBytes(cn);
        String cnonce = HEX.formatHex(cn);
        int nc = c.qop() == null ? 0 : c.nextNonceCount();
        return authorize(c, username, password, method, uri, cnonce, nc, "");
    }

    /** Deterministic form, for tests and for fixtures from RFCs. */
    public static String authorize(DigestChallenge c, String username, String password, String method, String uri,
                                   String cnonce, int nc, String body) {
        String alg = c.algorithm().jcaName();
        String ha1 = hash(alg, username + ":" + c.realm() + ":" + password);
        if (c.algorithm().session()) {
            ha1 = hash(alg, ha1 + ":" + c.nonce() + ":" + cnonce);
        }
        String ha2 = "auth-int".equals(c.qop())
                ? hash(alg, method + ":" + uri + ":" + hash(alg, body))
                : hash(alg, method + ":" + uri);
        String ncText = nonceCount(nc);
        String response = c.qop() == null
                ? hash(alg, ha1 + ":" + c.nonce() + ":" + ha2)
                : hash(alg, ha1 + ":" + c.nonce() + ":" + ncText + ":" + cnonce + ":" + c.qop() + ":" + ha2);
        StringBuilder b = new StringBuilder(256);
        b.append("Digest username=\"").append(username)
                .append("\", realm=\"").append(c.realm())
                .append("\", nonce=\"").append(c.nonce())
                .append("\", uri=\"").append(uri)
                .append("\", response=\"").append(response)
                .append("\", algorithm=").append(c.algorithm().wireName());
        if (c.opaque() != null) {
            b.append(", opaque=\"").append(c.opaque()).append('"');
        }
        if (c.qop() != null) {
            b.append(", qop=").append(c.qop()).append(", nc=").append(ncText)
                    .append(", cnonce=\"").append(cnonce).append('"');
        }
        return b.toString();
    }

    /** {@code nc} as 8 lower-case hex digits ({@code %08x} without a Formatter). */
    static String nonceCount(int nc) {
        String h = Integer.toHexString(nc);
        return h.length() >= 8 ? h : "00000000".substring(h.length()) + h;
    }

    /** Digests per thread and algorithm: {@code MessageDigest.getInstance} is a provider lookup each time. */
    private static final ThreadLocal<java.util.Map<String, MessageDigest>> DIGESTS =
            ThreadLocal.withInitial(() -> new java.util.HashMap<>(4));

    /** Hex digest of UTF-8 text with a JCA algorithm name ("MD5", "SHA-256"). */
    public static String hash(String jcaName, String text) {
        java.util.Map<String, MessageDigest> cache = DIGESTS.get();
        MessageDigest md = cache.get(jcaName);
        if (md == null) {
            try {
                md = MessageDigest.getInstance(jcaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("JCA lacks " + jcaName, e);
            }
            cache.put(jcaName, md);
        }
        return HEX.formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8))); // digest() resets it
    }
}
