package org.opensipis.core.instance;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.opensipis.core.settings.Secret;

/**
 * The SIP account an instance keeps registered, as the app handed it over.
 *
 * @param user          user part of the AoR ({@code sip:user@domain})
 * @param authUser      digest user name (often equal to {@code user})
 * @param password      digest password (stored sealed with sipis.key, never logged)
 * @param domain        domain of the AoR, also the registrar when no proxy is given
 * @param proxy         outbound proxy / registrar host; empty = resolve {@code domain} (RFC 3263)
 * @param port          explicit port; 0 = from DNS SRV or the transport's default
 * @param transport     UDP, TCP or TLS
 * @param displayName   display name for From
 * @param expires       Expires to request; empty = {@code Registration/DefaultExpires}
 */
public record SipAccount(String user, String authUser, Secret password, String domain, Optional<String> proxy,
                         int port, Transport transport, String displayName, Optional<Duration> expires) {

    public enum Transport { UDP, TCP, TLS }

    public SipAccount {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(authUser, "authUser");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(expires, "expires");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port + " for " + user + "@" + domain);
        }
    }

    /** {@code user@domain}, for messages and /stats. */
    public String aor() {
        return user + "@" + domain;
    }

    /** The host REGISTERs go to before DNS: the proxy if set, else the domain. */
    public String registrarHost() {
        return proxy.orElse(domain);
    }
}
