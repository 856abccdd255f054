package org.opensipis.sip.dns;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.opensipis.core.instance.SipAccount.Transport;

/**
 * One place to send a REGISTER to.
 *
 * @param transport  the transport to use
 * @param address    resolved address and port
 * @param serverName the host name the TLS certificate must match (the SRV target or the host)
 */
public record Target(Transport transport, InetSocketAddress address, String serverName) {
    public Target {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(serverName, "serverName");
    }
}
