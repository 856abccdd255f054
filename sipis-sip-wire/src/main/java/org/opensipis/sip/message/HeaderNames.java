package org.opensipis.sip.message;

import java.util.Locale;

/**
 * Header names as the parsed model holds them: the long form, lower-case. Compact forms
 * (RFC 3261 7.3.3, RFC 3515, RFC 4028...) are mapped to these on parsing. Stateless.
 */
public final class HeaderNames {

    public static final String VIA = "via";
    public static final String FROM = "from";
    public static final String TO = "to";
    public static final String CALL_ID = "call-id";
    public static final String CSEQ = "cseq";
    public static final String CONTACT = "contact";
    public static final String CONTENT_LENGTH = "content-length";
    public static final String CONTENT_TYPE = "content-type";
    public static final String MAX_FORWARDS = "max-forwards";
    public static final String EXPIRES = "expires";
    public static final String MIN_EXPIRES = "min-expires";
    public static final String WWW_AUTHENTICATE = "www-authenticate";
    public static final String PROXY_AUTHENTICATE = "proxy-authenticate";
    public static final String AUTHORIZATION = "authorization";
    public static final String PROXY_AUTHORIZATION = "proxy-authorization";
    public static final String REQUIRE = "require";
    public static final String SUPPORTED = "supported";
    public static final String UNSUPPORTED = "unsupported";
    public static final String RECORD_ROUTE = "record-route";
    public static final String ROUTE = "route";
    public static final String REASON = "reason";
    public static final String USER_AGENT = "user-agent";
    public static final String RETRY_AFTER = "retry-after";
    public static final String X_SIPIS_SELECTOR = "x-sipis-selector";
    public static final String X_SIPIS_APP_ID = "x-sipis-app-id";
    public static final String X_SIPIS_PAIRING_ID = "x-sipis-pairing-id";

    /** Names we read or see often: matched in place, no String per header. */
    private static final String[] KNOWN = {VIA, FROM, TO, CALL_ID, CSEQ, CONTACT, CONTENT_LENGTH, CONTENT_TYPE,
        MAX_FORWARDS, EXPIRES, MIN_EXPIRES, WWW_AUTHENTICATE, PROXY_AUTHENTICATE, AUTHORIZATION, PROXY_AUTHORIZATION,
        "server", USER_AGENT, "allow", SUPPORTED, RETRY_AFTER, RECORD_ROUTE, ROUTE, REQUIRE, "date", "path", "event",
        "accept", X_SIPIS_SELECTOR, X_SIPIS_APP_ID};

    private HeaderNames() {
    }

    /** The model's name for the header name {@code text[from, to)} (any case, compact or long). */
    public static String canonical(String text, int from, int to) {
        int len = to - from;
        char first = len > 0 ? Character.toLowerCase(text.charAt(from)) : 0;
        for (String k : KNOWN) {
            // length and first letter first: most names fail there without a case-insensitive compare
            if (k.length() == len && k.charAt(0) == first && text.regionMatches(true, from, k, 0, len)) {
                return k;
            }
        }
        return canonical(text.substring(from, to));
    }

    /** The model's name for a header name (any case, compact or long). */
    public static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.length() != 1) {
            return n;
        }
        switch (n.charAt(0)) {
            case 'v': return VIA;
            case 'i': return CALL_ID;
            case 'm': return CONTACT;
            case 'l': return CONTENT_LENGTH;
            case 'f': return FROM;
            case 't': return TO;
            case 'c': return CONTENT_TYPE;
            case 'k': return SUPPORTED;
            case 'e': return "content-encoding";
            case 's': return "subject";
            case 'r': return "refer-to";
            case 'o': return "event";
            case 'u': return "allow-events";
            case 'b': return "referred-by";
            case 'x': return "session-expires";
            case 'a': return "accept-contact";
            case 'j': return "reject-contact";
            case 'd': return "request-disposition";
            case 'y': return "identity";
            default: return n;
        }
    }

    /** The usual spelling of a model name, for messages ({@code call-id} → {@code Call-ID}). */
    public static String display(String name) {
        switch (name) {
            case VIA: return "Via";
            case FROM: return "From";
            case TO: return "To";
            case CONTACT: return "Contact";
            case CALL_ID: return "Call-ID";
            case CSEQ: return "CSeq";
            case WWW_AUTHENTICATE: return "WWW-Authenticate";
            default:
                StringBuilder b = new StringBuilder(name);
                boolean up = true;
                for (int i = 0; i < b.length(); i++) {
                    if (up) {
                        b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
                    }
                    up = b.charAt(i) == '-';
                }
                return b.toString();
        }
    }
}
