package org.opensipis.sip.app;

import java.util.Map;
import org.opensipis.sip.digest.DigestParams;
import org.opensipis.sip.message.SipParseException;

/**
 * The fields of one {@code Authorization: Digest ...} header (RFC 3261 section 22.4, RFC 7616).
 * Immutable. {@link #parse} returns null for another scheme or a header without the fields digest
 * needs.
 */
record DigestCredentials(String username, String realm, String nonce, String uri, String response,
                         String algorithm, String qop, String nc, String cnonce) {

    static DigestCredentials parse(String header) {
        String v = header.trim();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Digest ", 0, 7)) {
            return null;
        }
        Map<String, String> p;
        try {
            p = DigestParams.parse(v.substring(7));
        } catch (SipParseException e) {
            return null;
        }
        String username = p.get("username");
        String realm = p.get("realm");
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        if (username == null || realm == null || nonce == null || uri == null || response == null) {
            return null;
        }
        return new DigestCredentials(username, realm, nonce, uri, response, p.getOrDefault("algorithm", "MD5"),
                p.get("qop"), p.get("nc"), p.get("cnonce"));
    }
}
