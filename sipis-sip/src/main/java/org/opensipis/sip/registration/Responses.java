package org.opensipis.sip.registration;

import java.util.List;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;

/** Reads what a REGISTER response grants. Stateless. */
final class Responses {

    private Responses() {
    }

    /**
     * The expiry granted to our binding: the {@code expires} parameter of our Contact, matched as
     * a whole URI (RFC 3261 10.2.4 and 19.1.4: an older binding of ours with the same user part,
     * another port, may be listed too, and its expiry is not ours), else the Expires header, else
     * what we asked; 0 when the response lists other bindings but not ours.
     */
    static int granted(String selector, String contactUri, int requested, SipMessage m) {
        String me = RequestBuilder.contactUser(selector);
        // A 200 lists every binding of the AoR; only Contact values naming us are split and read.
        List<String> contacts = m.headers("contact", me);
        for (String c : contacts) {
            if (SipUris.same(HeaderParams.uri(c), contactUri)) {
                String e = HeaderParams.param(c, "expires");
                if (e != null) {
                    try {
                        return Integer.parseInt(e.trim());
                    } catch (NumberFormatException ex) {
                        throw new SipParseException("bad Contact expires: " + e);
                    }
                }
                return m.intHeader("expires").orElse(requested);
            }
        }
        if (!contacts.isEmpty() || m.hasListHeader("contact")) {
            return 0;
        }
        return m.intHeader("expires").orElse(requested);
    }
}
