package org.opensipis.sip.registration;

import java.nio.charset.StandardCharsets;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.instance.SipAccount.Transport;

/** Writes REGISTER requests. Stateless. */
final class RequestBuilder {

    private RequestBuilder() {
    }

    /** The Contact user of an instance: "s" + selector with ':' as '-' (URI user-safe, reversible). */
    static String contactUser(String selector) {
        return "s" + selector.replace(':', '-');
    }

    /** The selector behind a Contact user, or null when it is not one of ours. */
    static String selectorOf(String contactUser) {
        if (contactUser.length() < 2 || contactUser.charAt(0) != 's') {
            return null;
        }
        return contactUser.substring(1).replace('-', ':');
    }

    static String requestUri(SipAccount a) {
        return "sip:" + a.domain();
    }

    static String contactUri(String selector, String host, int port, Transport t) {
        StringBuilder b = new StringBuilder(96).append("sip:").append(contactUser(selector)).append('@');
        appendHost(b, host).append(':').append(port);
        if (t != Transport.UDP) {
            b.append(";transport=").append(t == Transport.TCP ? "tcp" : "tls");
        }
        return b.toString();
    }

    static String fromTag(String callId) {
        return Integer.toHexString(callId.hashCode() ^ 0x5eed) + "s";
    }

    static byte[] register(SipAccount a, String callId, long cseq, String branch, String viaHost, int viaPort,
                           Transport t, String contactUri, int expires, String userAgent, String authHeader,
                           String authValue) {
        return register(a, callId, cseq, branch, viaHost, viaPort, t, contactUri, null, expires, userAgent, authHeader,
                authValue);
    }

    /**
     * A REGISTER; {@code staleContactUri}, when not null, is an older binding of ours (another
     * address or port) removed in the same request: listed first with {@code expires=0}, so that
     * the registrar never holds both (RFC 3261 10.2.2: one REGISTER may carry several Contacts).
     */
    static byte[] register(SipAccount a, String callId, long cseq, String branch, String viaHost, int viaPort,
                           Transport t, String contactUri, String staleContactUri, int expires, String userAgent,
                           String authHeader, String authValue) {
        StringBuilder b = SCRATCH.get();
        b.setLength(0);
        String ruri = requestUri(a);
        b.append("REGISTER ").append(ruri).append(" SIP/2.0\r\n");
        b.append("Via: SIP/2.0/").append(t.name()).append(' ');
        appendHost(b, viaHost).append(':').append(viaPort).append(";rport;branch=").append(branch).append("\r\n");
        b.append("Max-Forwards: 70\r\n");
        b.append("From: ");
        if (!a.displayName().isEmpty()) {
            b.append('"').append(a.displayName().replace("\\", "\\\\").replace("\"", "\\\"")).append("\" ");
        }
        b.append("<sip:").append(a.user()).append('@').append(a.domain()).append(">;tag=").append(fromTag(callId)).append("\r\n");
        b.append("To: <sip:").append(a.user()).append('@').append(a.domain()).append(">\r\n");
        b.append("Call-ID: ").append(callId).append("\r\n");
        b.append("CSeq: ").append(cseq).append(" REGISTER\r\n");
        b.append("Contact: ");
        if (staleContactUri != null) {
            b.append('<').append(staleContactUri).append(">;expires=0, ");
        }
        b.append('<').append(contactUri).append(">;expires=").append(expires).append("\r\n");
        b.append("Expires: ").append(expires).append("\r\n");
        if (authValue != null) {
            b.append(authHeader).append(": ").append(authValue).append("\r\n");
        }
        b.append("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE\r\n");
        b.append("User-Agent: ").append(userAgent).append("\r\n");
        b.append("Content-Length: 0\r\n\r\n");
        return bytes(b);
    }

    /** A builder per thread (owners are few, long-lived threads): one allocation per request, the bytes. */
    private static final ThreadLocal<StringBuilder> SCRATCH = ThreadLocal.withInitial(() -> new StringBuilder(1024));

    /** UTF-8 of the builder; ASCII (the usual case) is copied straight, without an intermediate String. */
    private static byte[] bytes(StringBuilder b) {
        int n = b.length();
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = b.charAt(i);
            if (c >= 0x80) {
                return b.toString().getBytes(StandardCharsets.UTF_8);
            }
            out[i] = (byte) c;
        }
        return out;
    }

    private static StringBuilder appendHost(StringBuilder b, String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? b.append('[').append(host).append(']') : b.append(host);
    }
}
