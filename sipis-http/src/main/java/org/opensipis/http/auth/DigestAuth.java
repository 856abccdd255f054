package org.opensipis.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.opensipis.core.settings.AdministratorSettings;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;

/**
 * RFC 7616 Digest with MD5 and {@code qop=auth} (what browsers and curl speak). Nonces are
 * stateless: {@code <expiry millis hex>.<HMAC-SHA256(process key, expiry)>}, valid for
 * {@link #NONCE_LIFETIME}; an expired but genuine nonce gets {@code stale=true} so clients
 * retry silently. All secret comparisons are constant-time.
 */
final class DigestAuth implements AdminAuth {

    static final Duration NONCE_LIFETIME = Duration.ofMinutes(5);

    private final String user;
    private final String realm;
    private final String ha1;
    private final Clock clock;
    private final SecretKeySpec nonceKey;

    DigestAuth(AdministratorSettings admin, String realm, Clock clock) {
        this.user = admin.userName();
        this.realm = realm;
        this.ha1 = md5(user + ":" + realm + ":" + admin.password().reveal());
        this.clock = clock;
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.nonceKey = new SecretKeySpec(k, "HmacSHA256");
    }

    @Override
    public Optional<HttpReply> check(HttpCall call) {
        String h = call.header("authorization").orElse("");
        if (!h.regionMatches(true, 0, "Digest ", 0, 7)) {
            return Optional.of(challenge(false, "admin credentials required (Digest)"));
        }
        Map<String, String> p = AuthParams.parse(h.substring(7));
        String nonce = p.getOrDefault("nonce", "");
        String qop = p.getOrDefault("qop", "");
        String uri = p.getOrDefault("uri", "");
        String nc = p.getOrDefault("nc", "");
        String cnonce = p.getOrDefault("cnonce", "");
        String algorithm = p.getOrDefault("algorithm", "MD5");
        if (!"auth".equals(qop) || nc.isEmpty() || cnonce.isEmpty() || !"MD5".equalsIgnoreCase(algorithm)) {
            return Optional.of(challenge(false, "Digest must use algorithm=MD5 and qop=auth with nc and cnonce"));
        }
        if (!uriMatches(uri, call.uri())) {
            return Optional.of(HttpReply.error(400, "Digest uri does not match the request target"));
        }
        NonceCheck n = checkNonce(nonce);
        String expected = md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":"
                + md5(call.method() + ":" + uri));
        boolean ok = eq(p.getOrDefault("username", ""), user) & eq(p.getOrDefault("realm", ""), realm)
                & eq(p.getOrDefault("response", "").toLowerCase(java.util.Locale.ROOT), expected);
        if (!ok || n == NonceCheck.FORGED) {
            return Optional.of(challenge(false, "admin credentials are wrong"));
        }
        if (n == NonceCheck.EXPIRED) {
            return Optional.of(challenge(true, "nonce expired; retry with the new one"));
        }
        return Optional.empty();
    }

    /** The request target, or (behind an nginx location such as /sipis5000/) a proxy prefix plus it. */
    private static boolean uriMatches(String digestUri, String requestUri) {
        return digestUri.equals(requestUri) || (requestUri.startsWith("/") && digestUri.endsWith(requestUri));
    }

    private enum NonceCheck { OK, EXPIRED, FORGED }

    private NonceCheck checkNonce(String nonce) {
        int dot = nonce.indexOf('.');
        if (dot <= 0 || dot > 16) {
            return NonceCheck.FORGED;
        }
        String expiry = nonce.substring(0, dot);
        if (!eq(nonce.substring(dot + 1), sign(expiry))) {
            return NonceCheck.FORGED;
        }
        long until;
        try {
            until = Long.parseUnsignedLong(expiry, 16);
        } catch (NumberFormatException e) {
            return NonceCheck.FORGED;
        }
        return clock.millis() <= until ? NonceCheck.OK : NonceCheck.EXPIRED;
    }

    String newNonce() {
        String expiry = Long.toHexString(clock.millis() + NONCE_LIFETIME.toMillis());
        return expiry + "." + sign(expiry);
    }

    private HttpReply challenge(boolean stale, String message) {
        String c = "Digest realm=\"" + quote(realm) + "\", qop=\"auth\", algorithm=MD5, nonce=\"" + newNonce()
                + "\", opaque=\"sipis\"" + (stale ? ", stale=true" : "");
        return HttpReply.error(401, message).withHeader("WWW-Authenticate", c);
    }

    private String sign(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(nonceKey);
            byte[] d = mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static boolean eq(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
