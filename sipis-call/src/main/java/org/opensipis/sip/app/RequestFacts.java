package org.opensipis.sip.app;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.opensipis.core.shard.Selector;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/** Reads what the app leg needs out of an app's request (docs/app-protocol.md sections 2-3). Stateless. */
final class RequestFacts {

    private static final Pattern EXPIRES_PARAM = Pattern.compile("(?i);\\s*expires\\s*=\\s*[^;]*");

    private RequestFacts() {
    }

    /**
     * The normalised selector: {@code X-Sipis-Selector}, else the user part of the To URI
     * (percent-decoded, so {@code %3A} may stand for the colon).
     *
     * @throws IllegalArgumentException naming the bad selector
     */
    static String selector(SipMessage m) {
        Optional<String> h = m.header("x-sipis-selector");
        String raw = h.isPresent() ? h.get().trim()
                : HeaderParams.uriUser(HeaderParams.uri(m.header("to").orElse("")));
        return Selector.normalise(percentDecode(raw));
    }

    /** The app id: {@code X-Sipis-App-Id}, else the first Contact URI's {@code pn-param}; null if neither. */
    static String appId(SipMessage m) {
        Optional<String> h = m.header("x-sipis-app-id");
        if (h.isPresent()) {
            return h.get().trim();
        }
        for (String c : m.headers("contact")) {
            return uriParam(HeaderParams.uri(c), "pn-param");
        }
        return null;
    }

    static Optional<String> pairingId(SipMessage m) {
        return m.header("x-sipis-pairing-id").map(String::trim).filter(s -> !s.isEmpty());
    }

    /** A URI parameter's value ("" for a flag), or null. */
    static String uriParam(String uri, String name) {
        return HeaderParams.uriParam(uri, name);
    }

    /** The Contact's expiry: its {@code expires} parameter, else the Expires header, else 3600. */
    static int expires(SipMessage m, String contact) {
        String p = contact == null ? null : HeaderParams.param(contact, "expires");
        if (p != null) {
            try {
                return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(p.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Contact expires parameter is not a number: " + p);
            }
        }
        return m.intHeader("expires").orElse(3600);
    }

    /** The Contact value with its expires parameter set to {@code expires}. */
    static String contactWithExpires(String contact, int expires) {
        int gt = contact.indexOf('>');
        if (gt < 0) {
            return EXPIRES_PARAM.matcher(contact).replaceAll("") + ";expires=" + expires;
        }
        return contact.substring(0, gt + 1) + EXPIRES_PARAM.matcher(contact.substring(gt + 1)).replaceAll("")
                + ";expires=" + expires;
    }

    /** Whether the Contact asks for RFC 5626 outbound (an {@code ob} URI parameter or a {@code reg-id}). */
    static boolean outbound(String contact) {
        return uriParam(HeaderParams.uri(contact), "ob") != null || HeaderParams.param(contact, "reg-id") != null;
    }

    /** Whether the request lists the option tag in Supported. */
    static boolean supports(SipMessage m, String tag) {
        return m.headers("supported").stream().anyMatch(s -> s.trim().toLowerCase(Locale.ROOT).equals(tag));
    }

    static String percentDecode(String s) {
        return HeaderParams.percentDecode(s);
    }
}
