package org.opensipis.core.shard;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One LB2 {@code <Backend><Sipis Name SelectorPrefix AppIdPrefix Address>} entry, with the
 * place it was written (for messages).
 */
public record Backend(Optional<String> name, SelectorPrefix selectorPrefix, String appIdPrefix,
                      HostPort address, Path file, int line) {

    public Backend {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(selectorPrefix, "selectorPrefix");
        Objects.requireNonNull(appIdPrefix, "appIdPrefix");
        Objects.requireNonNull(address, "address");
    }

    public boolean matches(String selector, String appId) {
        return selectorPrefix.matches(selector) && (appIdPrefix.isEmpty() || (appId != null && appId.startsWith(appIdPrefix)));
    }
}
