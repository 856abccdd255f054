package org.opensipis.core.instance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.opensipis.core.settings.Secret;

/**
 * The SIP account an instance keeps registered, as the app handed it over.
 *
 * <p>A value class with the accessors of a record. The user, auth user and display name are kept
 * as their UTF-8 bytes, not as {@code String}s (one account per instance; the wrapper is 24 B of
 * each), and an auth user or display name equal to the user is the user's bytes, an empty display
 * name one shared array. Their accessors make the string when asked.
 */
public final class SipAccount {

    public enum Transport { UDP, TCP, TLS }

    private static final byte[] EMPTY = new byte[0];

    private final byte[] user;
    private final byte[] authUser;
    /** The password's UTF-8 bytes ({@link Secret#wrapping}): 16 B less than a {@code Secret} per account. */
    private final byte[] password;
    private final String domain;
    private final Optional<String> proxy;
    private final int port;
    private final Transport transport;
    private final byte[] displayName;
    private final Optional<Duration> expires;

    /**
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
    public SipAccount(String user, String authUser, Secret password, String domain, Optional<String> proxy,
                      int port, Transport transport, String displayName, Optional<Duration> expires) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(authUser, "authUser");
        this.password = Objects.requireNonNull(password, "password").wrapped();
        this.domain = Objects.requireNonNull(domain, "domain");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.transport = Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(displayName, "displayName");
        this.expires = Objects.requireNonNull(expires, "expires");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port + " for " + user + "@" + domain);
        }
        this.port = port;
        this.user = user.getBytes(StandardCharsets.UTF_8);
        this.authUser = authUser.equals(user) ? this.user : authUser.getBytes(StandardCharsets.UTF_8);
        this.displayName = displayName.isEmpty() ? EMPTY
                : displayName.equals(user) ? this.user : displayName.getBytes(StandardCharsets.UTF_8);
    }

    public String user() {
        return text(user);
    }

    public String authUser() {
        return text(authUser);
    }

    public Secret password() {
        return Secret.wrapping(password);
    }

    public String domain() {
        return domain;
    }

    public Optional<String> proxy() {
        return proxy;
    }

    public int port() {
        return port;
    }

    public Transport transport() {
        return transport;
    }

    public String displayName() {
        return displayName.length == 0 ? "" : text(displayName);
    }

    public Optional<Duration> expires() {
        return expires;
    }

    /** {@code user@domain}, for messages and /stats. */
    public String aor() {
        return user() + "@" + domain;
    }

    /** The host REGISTERs go to before DNS: the proxy if set, else the domain. */
    public String registrarHost() {
        return proxy.orElse(domain);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SipAccount a && Arrays.equals(user, a.user) && Arrays.equals(authUser, a.authUser)
                && Arrays.equals(password, a.password) && domain.equals(a.domain) && proxy.equals(a.proxy) && port == a.port
                && transport == a.transport && Arrays.equals(displayName, a.displayName) && expires.equals(a.expires);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(user), Arrays.hashCode(authUser), Arrays.hashCode(password), domain, proxy, port, transport,
                Arrays.hashCode(displayName), expires);
    }

    /** Like a record's, with the password masked by {@link Secret#toString()}. */
    @Override
    public String toString() {
        return "SipAccount[user=" + user() + ", authUser=" + authUser() + ", password=" + password() + ", domain=" + domain
                + ", proxy=" + proxy + ", port=" + port + ", transport=" + transport + ", displayName=" + displayName()
                + ", expires=" + expires + "]";
    }
}
