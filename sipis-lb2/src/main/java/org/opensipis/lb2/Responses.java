package org.opensipis.lb2;

import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.WireResponses;

/** Final responses LB2 itself sends to an app (RFC 3261 §8.2.6, written by the wire layer). */
final class Responses {

    private Responses() {
    }

    static byte[] unavailable(SipMessage request) {
        return WireResponses.build(request, 503, "Service Unavailable", "Retry-After: 5", "Server: sipis-lb2");
    }

    static byte[] noRoute(SipMessage request, String why) {
        return WireResponses.build(request, 404, "Not Found",
                "Warning: 399 sipis-lb2 \"" + why.replace("\"", "'") + "\"", "Server: sipis-lb2");
    }
}
