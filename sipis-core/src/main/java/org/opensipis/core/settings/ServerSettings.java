package org.opensipis.core.settings;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code <Server>}: who this process is and where apps (through LB2) reach it.
 *
 * @param name          unique process name; matched against LB2 {@code Backend/Sipis[Name]}
 * @param address       listen address for the app leg (LB2 → SIPIS), {@code 0.0.0.0} = any
 * @param port          listen port for the app leg, 14998 by default
 * @param transport     app-leg transport between LB2 and this process
 * @param publicAddress replaces the local address in Via/Contact when the provider rejects local addresses
 * @param privateAddress replaces the local address in Via/Contact when the provider accepts them
 * @param filterInstances {@code FilterInstancesAccordingToLoadBalancer2BackendSection}
 * @param realm         digest realm for apps; defaults to {@code name}
 */
public record ServerSettings(String name, String address, int port, Transport transport,
                             Optional<String> publicAddress, Optional<String> privateAddress,
                             boolean filterInstances, String realm) {

    public enum Transport { TCP, TLS }

    public ServerSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(publicAddress, "publicAddress");
        Objects.requireNonNull(privateAddress, "privateAddress");
        Objects.requireNonNull(realm, "realm");
    }

    /** The address to put in Via/Contact instead of the socket's, if any (public wins). */
    public Optional<String> advertisedAddress() {
        return publicAddress.isPresent() ? publicAddress : privateAddress;
    }
}
