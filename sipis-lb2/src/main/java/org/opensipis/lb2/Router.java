package org.opensipis.lb2;

import java.util.Optional;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;

/**
 * Chooses the backend of a flow from its first request: the first Backend entry, in file
 * order, matching the selector and app id; with no entries at all, LB2's default route
 * {@code 127.0.0.1:14998}. Replaced as a whole on reload; read by any event loop.
 */
final class Router {

    private volatile Lb2Settings settings;

    Router(Lb2Settings settings) {
        this.settings = settings;
    }

    void replace(Lb2Settings settings) {
        this.settings = settings;
    }

    Lb2Settings settings() {
        return settings;
    }

    /** The backend address, or empty when entries exist but none matches. */
    Optional<HostPort> route(String selector, String appId) {
        Lb2Settings s = settings;
        if (s.backends().isEmpty()) {
            return Optional.of(Lb2Settings.DEFAULT_ROUTE);
        }
        return s.route(selector.toUpperCase(java.util.Locale.ROOT), appId).map(Backend::address);
    }
}
