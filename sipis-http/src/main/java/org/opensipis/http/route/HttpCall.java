package org.opensipis.http.route;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request as the endpoints see it: copied out of Netty's buffers (so no endpoint
 * handles reference-counted memory), immutable, safe to pass between threads.
 *
 * @param method     upper-case method
 * @param uri        the raw request target (as the client sent it; digest auth compares it)
 * @param path       decoded path without the query
 * @param query      decoded query parameters
 * @param headers    headers with lower-case names (last value wins)
 * @param body       the body bytes (empty if none)
 * @param remote     the peer address, for logs
 */
public record HttpCall(String method, String uri, String path, Map<String, List<String>> query,
                       Map<String, String> headers, byte[] body, String remote) {

    public HttpCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(path, "path");
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(remote, "remote");
    }

    /** A header by lower-case name. */
    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }

    /** The first value of a query parameter. */
    public Optional<String> param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /** The media type of the body, lower case, without parameters; empty if none. */
    public String mediaType() {
        String ct = headers.getOrDefault("content-type", "");
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
