package org.opensipis.http.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A complete HTTP reply produced by an endpoint. The pipeline adds Content-Length, Date,
 * Connection and the security headers.
 *
 * @param status      status code
 * @param contentType media type with charset
 * @param body        the body
 * @param headers     extra headers (Allow, WWW-Authenticate, Retry-After, ...)
 */
public record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String HTML = "text/html; charset=utf-8";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public HttpReply {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    public static HttpReply of(int status, String contentType, String body) {
        return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static HttpReply json(int status, Object tree) {
        try {
            return new HttpReply(status, JSON, MAPPER.writeValueAsBytes(tree), Map.of());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON reply", e);
        }
    }

    /** A readable error: {@code {"error": message}} with the given 4xx/5xx status. */
    public static HttpReply error(int status, String message) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("status", status);
        n.put("error", message);
        return json(status, n);
    }

    /** A copy with one more header. */
    public HttpReply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpReply(status, contentType, body, h);
    }

    /** The shared, thread-safe JSON mapper of the HTTP module. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
