package org.opensipis.sip.app;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The app's current registration with SIPIS for one selector. Immutable.
 *
 * @param selector   normalised selector
 * @param contact    the Contact URI the app registered (the Request-URI for requests to the app)
 * @param instanceId the {@code +sip.instance} value, if any (RFC 5626)
 * @param flow       the connection the last successful REGISTER came on (RFC 5626: send requests back over it)
 * @param expires    when the registration lapses (the background takeover follows a grace period later);
 *                   the Expires: 0 time for an app that unregistered
 * @param foreground whether the app is in the foreground (registered with Expires &gt; 0 and not lapsed)
 */
public record AppBinding(String selector, String contact, Optional<String> instanceId, AppFlow flow,
                         Instant expires, boolean foreground) {
    public AppBinding {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(expires, "expires");
    }
}
