package org.opensipis.core.abuse;

import java.net.InetAddress;
import java.util.List;

/**
 * The A and AAAA addresses of a host name; blocking (callers run it on an executor of their
 * own). The composition root hands the SIP module's DNS lookup; tests hand a map.
 */
@FunctionalInterface
public interface HostResolver {

    /** Addresses of {@code host}; empty when it has none. */
    List<InetAddress> addresses(String host);

    /** Resolves nothing: only IP literals and name rules are checked before the engine resolves. */
    HostResolver NONE = host -> List.of();
}
