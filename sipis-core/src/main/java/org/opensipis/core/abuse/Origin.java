package org.opensipis.core.abuse;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who registered an instance, kept with it for the administrator (the audit of
 * {@code POST /sipis/register}).
 *
 * @param address the client's address (from X-Forwarded-For when the peer is a trusted proxy)
 * @param via     the trusted proxy the request came through, if any
 * @param at      when
 * @param appId   the app id the request named
 */
public record Origin(String address, Optional<String> via, Instant at, String appId) {
    public Origin {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(appId, "appId");
    }

    /** {@code 198.51.100.7} or {@code 198.51.100.7 via 127.0.0.1}. */
    public String source() {
        return via.map(v -> address + " via " + v).orElse(address);
    }
}
