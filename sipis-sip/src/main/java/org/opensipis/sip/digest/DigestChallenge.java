package org.opensipis.sip.digest;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.sip.message.SipParseException;

/**
 * One Digest challenge from a {@code WWW-Authenticate} or {@code Proxy-Authenticate} header
 * (RFC 2617, RFC 7616 / RFC 8760). Immutable apart from the nonce count, which is atomic: a
 * challenge may be cached per registrar and used by instances on several owner threads.
 */
public final class DigestChallenge {

    private final boolean proxy;
    private final String realm;
    private final String nonce;
    private final String opaque;
    private final DigestAlgorithm algorithm;
    private final String qop;
    private final boolean stale;
    private final AtomicInteger nonceCount = new AtomicInteger();

    DigestChallenge(boolean proxy, String realm, String nonce, String opaque, DigestAlgorithm algorithm,
                    String qop, boolean stale) {
        this.proxy = proxy;
        this.realm = realm;
        this.nonce = nonce;
        this.opaque = opaque;
        this.algorithm = algorithm;
        this.qop = qop;
        this.stale = stale;
    }

    /**
     * Parses a challenge header value; returns null for a scheme or algorithm we do not support
     * (so that the caller can pick another header).
     */
    public static DigestChallenge parse(String headerValue, boolean proxy) {
        String v = headerValue.trim();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Digest ", 0, 7)) {
            return null;
        }
        Map<String, String> p = DigestParams.parse(v.substring(7));
        String realm = p.get("realm");
        String nonce = p.get("nonce");
        if (realm == null || nonce == null) {
            throw new SipParseException("Digest challenge without realm or nonce: " + headerValue);
        }
        DigestAlgorithm alg = DigestAlgorithm.byName(p.getOrDefault("algorithm", "MD5"));
        if (alg == null) {
            return null;
        }
        String qop = null;
        String offered = p.get("qop");
        if (offered != null) {
            List<String> opts = List.of(offered.toLowerCase(Locale.ROOT).split("\\s*,\\s*"));
            if (opts.contains("auth")) {
                qop = "auth";
            } else if (opts.contains("auth-int")) {
                qop = "auth-int";
            } else {
                return null;
            }
        }
        return new DigestChallenge(proxy, realm, nonce, p.get("opaque"), alg, qop,
                "true".equalsIgnoreCase(p.getOrDefault("stale", "false")));
    }

    /** Picks the strongest supported challenge among the headers of one response (SHA-256 first). */
    public static DigestChallenge best(List<String> www, List<String> proxyAuth) {
        DigestChallenge best = null;
        for (int i = 0; i < www.size() + proxyAuth.size(); i++) {
            boolean proxy = i >= www.size();
            DigestChallenge c = parse(proxy ? proxyAuth.get(i - www.size()) : www.get(i), proxy);
            if (c != null && (best == null || c.algorithm.strength() > best.algorithm.strength())) {
                best = c;
            }
        }
        return best;
    }

    public boolean proxy() {
        return proxy;
    }

    public String realm() {
        return realm;
    }

    public String nonce() {
        return nonce;
    }

    public String opaque() {
        return opaque;
    }

    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /** The qop we answer with ("auth" preferred, "auth-int"), or null for RFC 2069 style. */
    public String qop() {
        return qop;
    }

    public boolean stale() {
        return stale;
    }

    /** The next nonce count for this nonce (1, 2, 3…), shared by everyone using this challenge. */
    int nextNonceCount() {
        return nonceCount.incrementAndGet();
    }

    @Override
    public String toString() {
        return "Digest[realm=" + realm + ", algorithm=" + algorithm.wireName() + ", qop=" + qop + ", stale=" + stale + "]";
    }
}
