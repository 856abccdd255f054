package org.opensipis.sip.relay;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.WireResponses;

/** Builds the messages the relay sends, as text. Stateless. */
final class RelayMessages {

    static final String PAIRING_ID = "X-Sipis-Pairing-Id";
    static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY, MESSAGE";

    /** Headers of a relayed in-dialog request that go to the other leg unchanged (lower case, display). */
    private static final String[][] REQUEST_HEADERS = {
        {"content-disposition", "Content-Disposition"}, {"info-package", "Info-Package"},
        {"session-expires", "Session-Expires"}, {"refer-to", "Refer-To"}, {"referred-by", "Referred-By"},
        {"event", "Event"}, {"subscription-state", "Subscription-State"}};

    /** In-dialog requests relayed between the legs (besides BYE, ACK and CANCEL, which the relay handles). */
    static boolean relayed(String method) {
        switch (method) {
            case "INVITE", "UPDATE", "INFO", "REFER", "NOTIFY", "MESSAGE":
                return true;
            default:
                return false;
        }
    }

    /** Target-refresh requests (RFC 3261, 3311, 3515, 6665): they and their 2xx carry a Contact. */
    static boolean targetRefresh(String method) {
        switch (method) {
            case "INVITE", "UPDATE", "REFER", "NOTIFY":
                return true;
            default:
                return false;
        }
    }

    private RelayMessages() {
    }

    /** The INVITE to the app, built from the caller's INVITE (identity and SDP unchanged). */
    static String inviteToApp(RelayCall c, SipMessage upstream) {
        StringBuilder b = requestLine("INVITE", c, c.appTarget, c.inviteBranch, 1);
        b.append("To: <").append(c.appAor).append(">\r\n");
        b.append("Contact: <").append(c.localContact).append(">\r\n");
        b.append("Allow: ").append(ALLOW).append("\r\n");
        b.append(PAIRING_ID).append(": ").append(c.pairingId).append("\r\n");
        String type = upstream.header("content-type").orElse(null);
        String body = upstream.body();
        return finish(b, type, body);
    }

    /** CANCEL for our INVITE to the app (same branch, RFC 3261 9.1), with the caller's Reason values. */
    static String cancelToApp(RelayCall c, List<String> reasons) {
        StringBuilder b = requestLine("CANCEL", c, c.appTarget, c.inviteBranch, 1);
        b.append("To: <").append(c.appAor).append(">\r\n");
        for (String r : reasons) {
            if (r.indexOf('\r') < 0 && r.indexOf('\n') < 0) {
                b.append("Reason: ").append(r).append("\r\n");
            }
        }
        return finish(b, null, null);
    }

    /**
     * ACK for the app's final response to our INVITE: for a non-2xx the INVITE's branch and
     * Request-URI (17.1.1.3), for a 2xx a new branch and the app's Contact (13.2.2.4).
     */
    static String ackToApp(RelayCall c, SipMessage response, String branch, String target, long cseq) {
        StringBuilder b = requestLine("ACK", c, target, branch, cseq);
        b.append("To: ").append(response.header("to").orElseThrow()).append("\r\n");
        return finish(b, null, null);
    }

    /** BYE to the app inside the app-leg dialog. */
    static String byeToApp(RelayCall c, String branch, long cseq) {
        StringBuilder b = requestLine("BYE", c, c.appTarget, branch, cseq);
        b.append("To: <").append(c.appAor).append(">;tag=").append(c.appToTag).append("\r\n");
        return finish(b, null, null);
    }

    /** An in-dialog request from the caller ({@link #relayed}), relayed to the app inside the app-leg dialog. */
    static String inDialogToApp(RelayCall c, SipMessage upstream, String branch, long cseq) {
        String method = upstream.method();
        StringBuilder b = requestLine(method, c, c.appTarget, branch, cseq);
        b.append("To: <").append(c.appAor).append(">;tag=").append(c.appToTag).append("\r\n");
        if (targetRefresh(method)) {
            b.append("Contact: <").append(c.localContact).append(">\r\n");
        }
        copyRequestHeaders(upstream, b);
        return finish(b, upstream.header("content-type").orElse(null), upstream.body());
    }

    /** The app's response to a relayed in-dialog request, as the response to the caller's request. */
    static String relayedResponse(SipMessage request, SipMessage appResponse, String ourContact) {
        StringBuilder b = new StringBuilder(512);
        b.append("SIP/2.0 ").append(appResponse.status()).append(' ').append(appResponse.reason()).append("\r\n");
        for (String via : request.headers("via")) {
            b.append("Via: ").append(via).append("\r\n");
        }
        b.append("From: ").append(request.header("from").orElse("")).append("\r\n");
        b.append("To: ").append(request.header("to").orElse("")).append("\r\n");
        b.append("Call-ID: ").append(request.header("call-id").orElse("")).append("\r\n");
        b.append("CSeq: ").append(request.header("cseq").orElse("")).append("\r\n");
        if (appResponse.status() < 300 && targetRefresh(request.method())) {
            b.append("Contact: <").append(ourContact).append(">\r\n");
        }
        copy(appResponse, b, "session-expires", "Session-Expires");
        copy(appResponse, b, "require", "Require");
        return finish(b, appResponse.header("content-type").orElse(null), appResponse.body());
    }

    private static void copyRequestHeaders(SipMessage from, StringBuilder b) {
        for (String[] h : REQUEST_HEADERS) {
            copy(from, b, h[0], h[1]);
        }
    }

    private static void copy(SipMessage from, StringBuilder b, String name, String display) {
        from.header(name).ifPresent(v -> b.append(display).append(": ").append(v).append("\r\n"));
    }

    private static StringBuilder requestLine(String method, RelayCall c, String target, String branch, long cseq) {
        StringBuilder b = new StringBuilder(512);
        b.append(method).append(' ').append(target).append(" SIP/2.0\r\n");
        b.append("Via: SIP/2.0/").append(c.appTransport).append(' ').append(c.localHostPort)
                .append(";branch=").append(branch).append("\r\n");
        b.append("Max-Forwards: 70\r\n");
        b.append("From: ").append(c.callerFrom).append(";tag=").append(c.appFromTag).append("\r\n");
        b.append("Call-ID: ").append(c.appCallId).append("\r\n");
        b.append("CSeq: ").append(cseq).append(' ').append(method).append("\r\n");
        return b;
    }

    /**
     * BYE to the caller inside the provider-leg dialog, where we are the UAS (RFC 3261 12.1.1):
     * Request-URI the caller's Contact, Route the INVITE's Record-Route in order, From/To swapped.
     */
    static String byeUpstream(SipMessage invite, String toTag, String viaTransport, String localHostPort,
                              String branch, long cseq) {
        return upstreamRequest(invite, toTag, callerContact(invite), viaTransport, localHostPort, null, "BYE", branch,
                cseq, null);
    }

    /** The Contact URI of the caller's INVITE: the provider-leg dialog's first remote target. */
    static String callerContact(SipMessage invite) {
        return HeaderParams.uri(invite.header("contact").orElseThrow(
                () -> new IllegalArgumentException("the caller's INVITE " + invite + " has no Contact")));
    }

    /**
     * A request inside the provider-leg dialog, where we are the UAS (RFC 3261 12.2.1.1):
     * Request-URI the remote target, Route the INVITE's Record-Route in order (a UAS does not
     * reverse it), From the INVITE's To with our tag, To the INVITE's From, the dialog's Call-ID.
     *
     * @param contact    our Contact (for INVITE and UPDATE), or null
     * @param appRequest the app's request whose body and session headers are relayed, or null
     */
    static String upstreamRequest(SipMessage invite, String toTag, String target, String viaTransport,
                                  String localHostPort, String contact, String method, String branch, long cseq,
                                  SipMessage appRequest) {
        StringBuilder b = new StringBuilder(512);
        b.append(method).append(' ').append(target).append(" SIP/2.0\r\n");
        b.append("Via: SIP/2.0/").append(viaTransport).append(' ').append(localHostPort)
                .append(";branch=").append(branch).append(";rport\r\n");
        b.append("Max-Forwards: 70\r\n");
        for (String rr : invite.headers("record-route")) {
            b.append("Route: ").append(rr).append("\r\n");
        }
        b.append("From: ").append(invite.header("to").orElseThrow()).append(";tag=").append(toTag).append("\r\n");
        b.append("To: ").append(invite.header("from").orElseThrow()).append("\r\n");
        b.append("Call-ID: ").append(invite.callId()).append("\r\n");
        b.append("CSeq: ").append(cseq).append(' ').append(method).append("\r\n");
        if (contact != null) {
            b.append("Contact: <").append(contact).append(">\r\n");
        }
        if (appRequest == null) {
            return finish(b, null, null);
        }
        copyRequestHeaders(appRequest, b);
        return finish(b, appRequest.header("content-type").orElse(null), appRequest.body());
    }

    /** A response to a request (ours to send on its flow): Via, From, To (+ tag), Call-ID, CSeq copied. */
    static String response(SipMessage request, int code, String phrase, String toTag, String... extra) {
        StringBuilder b = WireResponses.head(new StringBuilder(384), request, code, phrase, toTag);
        for (String h : extra) {
            b.append(h).append("\r\n");
        }
        return finish(b, null, null);
    }

    private static String finish(StringBuilder b, String contentType, String body) {
        if (body == null || body.isEmpty()) {
            return b.append("Content-Length: 0\r\n\r\n").toString();
        }
        if (contentType != null) {
            b.append("Content-Type: ").append(contentType).append("\r\n");
        }
        b.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n");
        return b.append(body).toString();
    }

    /** {@code host:port} of a socket address, IPv6 in brackets. */
    static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /** {@code host:port} of a SIP URI such as {@code sip:user@host:port;params}. */
    static String hostPortOf(String uri) {
        String u = uri;
        int colon = u.indexOf(':');
        u = u.substring(colon + 1);
        int at = u.indexOf('@');
        if (at >= 0) {
            u = u.substring(at + 1);
        }
        int end = u.length();
        for (char stop : new char[] {';', '?', '>'}) {
            int i = u.indexOf(stop);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return u.substring(0, end);
    }

    /** The transport of a request's top Via ("UDP", "TCP", "TLS"). */
    static String viaTransport(SipMessage request) {
        List<String> vias = request.headers("via");
        String via = vias.isEmpty() ? "SIP/2.0/UDP" : vias.get(0).trim();
        int slash = via.lastIndexOf('/', via.indexOf(' ') < 0 ? via.length() : via.indexOf(' '));
        int sp = via.indexOf(' ');
        return slash >= 0 && sp > slash ? via.substring(slash + 1, sp).trim() : "UDP";
    }
}
