package org.opensipis.lb2;

import java.util.Optional;
import org.opensipis.sip.message.HeaderNames;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/** What LB2 routes a first message by, read from the parsed message (the wire layer parses). Stateless. */
final class RouteFacts {

    private RouteFacts() {
    }

    /** The selector this request is for: X-Sipis-Selector, else To user (REGISTER) or Request-URI user. */
    static Optional<String> selector(SipMessage m) {
        Optional<String> explicit = m.header(HeaderNames.X_SIPIS_SELECTOR).map(String::trim).filter(s -> !s.isEmpty());
        if (explicit.isPresent()) {
            return explicit;
        }
        String uri = "REGISTER".equals(m.method()) ? HeaderParams.uri(m.header(HeaderNames.TO).orElse(""))
                : m.isResponse() ? "" : m.requestUri();
        if (!uri.regionMatches(true, 0, "sip:", 0, 4) && !uri.regionMatches(true, 0, "sips:", 0, 5)) {
            return Optional.empty();
        }
        return Optional.of(HeaderParams.percentDecode(HeaderParams.uriUser(uri))).filter(s -> !s.isEmpty());
    }

    /** The app id: X-Sipis-App-Id, else the pn-param of the first Contact, else empty. */
    static String appId(SipMessage m) {
        Optional<String> explicit = m.header(HeaderNames.X_SIPIS_APP_ID).map(String::trim).filter(s -> !s.isEmpty());
        if (explicit.isPresent()) {
            return explicit.get();
        }
        for (String c : m.headers(HeaderNames.CONTACT)) {
            String p = c.equals("*") ? null : HeaderParams.uriParam(HeaderParams.uri(c), "pn-param");
            return p == null ? "" : p;
        }
        return "";
    }

    /** Whether LB2 answers this message itself when it cannot route it (a request other than ACK). */
    static boolean answerable(SipMessage m) {
        return !m.isResponse() && !"ACK".equals(m.method());
    }
}
