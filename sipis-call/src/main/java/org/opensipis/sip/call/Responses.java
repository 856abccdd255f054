package org.opensipis.sip.call;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.WireResponses;

/**
 * Writes responses to incoming requests (RFC 3261 8.2.6): Via, From, Call-ID and CSeq echoed,
 * Record-Route echoed on INVITE 1xx/2xx, To with our tag, and SIPIS's Contact, Allow,
 * Supported and User-Agent (sipis-reference 1.4). Stateless.
 */
final class Responses {

    static final String ALLOW = "ACK, BYE, CANCEL, INFO, INVITE, NOTIFY, OPTIONS, REFER";
    static final String SUPPORTED = "replaces, path";
    /** The option tags of {@link #SUPPORTED}: a Require naming another gets 420. */
    static final java.util.Set<String> SUPPORTED_TAGS = java.util.Set.of("replaces", "path");
    static final String PUSH_STATUS = "X-Sipis-Push-Status";
    static final String REASON = "X-Sipis-Reason";

    private final String userAgent;
    private final Optional<String> privateAddress;

    Responses(String userAgent, Optional<String> privateAddress) {
        this.userAgent = userAgent;
        this.privateAddress = privateAddress;
    }

    /**
     * A response to {@code request}.
     *
     * @param toTag  our To-tag, added when the request's To has none (null: add none)
     * @param extra  more header lines ({@code Name: value}), written before Content-Length
     * @param contentType the body's type, or null for no body
     */
    byte[] build(SipMessage request, int code, String phrase, String toTag, Peer peer, List<String> extra,
                 String contentType, String body) {
        StringBuilder b = WireResponses.head(new StringBuilder(640), request, code, phrase, toTag);
        boolean invite = "INVITE".equals(request.method());
        boolean dialog = invite && code > 100 && code < 300;
        if (dialog) {
            for (String rr : request.headers("record-route")) {
                b.append("Record-Route: ").append(rr).append("\r\n");
            }
        }
        if (dialog) {
            b.append("Contact: <").append(contact(request, peer)).append(">\r\n");
        }
        if (invite || code == 405) {
            b.append("Allow: ").append(ALLOW).append("\r\n");
            b.append("Supported: ").append(SUPPORTED).append("\r\n");
        }
        b.append("User-Agent: ").append(userAgent).append("\r\n");
        for (String h : extra) {
            b.append(h).append("\r\n");
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            b.append("Content-Type: ").append(contentType).append("\r\n");
        }
        b.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.UTF_8);
        if (content.length == 0) {
            return head;
        }
        byte[] all = new byte[head.length + content.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    byte[] build(SipMessage request, int code, String phrase, String toTag, Peer peer, List<String> extra) {
        return build(request, code, phrase, toTag, peer, extra, null, null);
    }

    /** Our Contact: the Request-URI user at PrivateAddress (or the flow's local address). */
    String contact(SipMessage request, Peer peer) {
        String user = HeaderParams.uriUser(request.requestUri());
        String host = privateAddress.orElse(peer.localHost());
        StringBuilder b = new StringBuilder(80).append("sip:");
        if (!user.isEmpty()) {
            b.append(user).append('@');
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            b.append('[').append(host).append(']');
        } else {
            b.append(host);
        }
        b.append(':').append(peer.localPort());
        if (peer.transport() != Transport.UDP) {
            b.append(";transport=").append(peer.transport() == Transport.TCP ? "tcp" : "tls");
        }
        return b.toString();
    }

    /** Whether a CANCEL's Reason header says the call was answered elsewhere (RFC 3326: SIP;cause=200). */
    static boolean answeredElsewhere(String reason) {
        String v = reason.trim();
        return v.regionMatches(true, 0, "SIP", 0, 3) && "200".equals(HeaderParams.param(v, "cause"));
    }
}
