package org.opensipis.sip.digest;

import java.util.Locale;

/** Digest algorithms we answer (RFC 2617 MD5, MD5-sess; RFC 7616/8760 SHA-256, SHA-256-sess). */
public enum DigestAlgorithm {
    MD5("MD5", "MD5", false, 1),
    MD5_SESS("MD5-sess", "MD5", true, 0),
    SHA_256("SHA-256", "SHA-256", false, 3),
    SHA_256_SESS("SHA-256-sess", "SHA-256", true, 2);

    private final String wireName;
    private final String jcaName;
    private final boolean session;
    private final int strength;

    DigestAlgorithm(String wireName, String jcaName, boolean session, int strength) {
        this.wireName = wireName;
        this.jcaName = jcaName;
        this.session = session;
        this.strength = strength;
    }

    static DigestAlgorithm byName(String name) {
        switch (name.toUpperCase(Locale.ROOT)) {
            case "MD5": return MD5;
            case "MD5-SESS": return MD5_SESS;
            case "SHA-256": return SHA_256;
            case "SHA-256-SESS": return SHA_256_SESS;
            default: return null;
        }
    }

    public String wireName() {
        return wireName;
    }

    String jcaName() {
        return jcaName;
    }

    boolean session() {
        return session;
    }

    int strength() {
        return strength;
    }
}
