package org.opensipis.http.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.shard.Selector;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;

/**
 * The {@code /control/...} endpoints over a {@link ControlPlane}: JSON in, JSON out. The caller
 * (HttpServer) puts them behind the administrator check. Bad parameters are 400 with a readable
 * message; an instance this process does not serve is 404.
 */
public final class ControlEndpoints {

    static final int DEFAULT_SIZE = 100;
    static final int MAX_SIZE = 500;

    private final ControlPlane control;

    public ControlEndpoints(ControlPlane control) {
        this.control = Objects.requireNonNull(control, "control");
    }

    /** {@code GET /control/instances?state=&registrar=&user=&prefix=&page=&size=}. */
    public Endpoint instances() {
        return call -> {
            InstanceQuery q;
            try {
                q = query(call);
            } catch (IllegalArgumentException e) {
                return done(HttpReply.error(400, e.getMessage()));
            }
            return control.instances(q).thenApply(l -> HttpReply.json(200, l));
        };
    }

    /** {@code GET /control/instance?selector=}. */
    public Endpoint instance() {
        return call -> {
            String selector;
            try {
                selector = selector(call.param("selector"));
            } catch (IllegalArgumentException e) {
                return done(HttpReply.error(400, e.getMessage()));
            }
            return control.instance(selector).thenApply(d -> d.map(v -> HttpReply.json(200, v))
                    .orElseGet(() -> notServed(selector)));
        };
    }

    /** {@code POST /control/instance/<action>} with {@code {"selector":"…"}} (or {@code ?selector=}). */
    public Endpoint action(ControlPlane.Action action) {
        return call -> {
            String selector;
            try {
                Optional<String> given = call.param("selector");
                if (given.isEmpty() && call.body().length > 0) {
                    given = Optional.ofNullable(body(call).get("selector")).filter(JsonNode::isTextual).map(JsonNode::asText);
                }
                selector = selector(given);
            } catch (IllegalArgumentException e) {
                return done(HttpReply.error(400, e.getMessage()));
            }
            return control.act(selector, action).thenApply(r -> "not found".equals(r.result()) ? notServed(selector)
                    : HttpReply.json(200, r));
        };
    }

    /** {@code GET /control/registrars}. */
    public Endpoint registrars() {
        return call -> control.registrars().thenApply(r -> HttpReply.json(200, r));
    }

    /** {@code GET /control/log-levels}. */
    public Endpoint logLevels() {
        return call -> {
            Map<String, String> levels = control.logLevels();
            return done(HttpReply.json(200, Map.of("loggers", levels)));
        };
    }

    /** {@code POST /control/log-level} with {@code {"logger":"org.opensipis.sip","level":"debug"}}. */
    public Endpoint setLogLevel() {
        return call -> {
            try {
                JsonNode b = body(call);
                String logger = text(b, "logger");
                String level = text(b, "level");
                return done(HttpReply.json(200, control.setLogLevel(logger, level)));
            } catch (IllegalArgumentException e) {
                return done(HttpReply.error(400, e.getMessage()));
            }
        };
    }

    private static InstanceQuery query(HttpCall call) {
        Optional<RegistrationState> state = call.param("state").filter(s -> !s.isBlank()).map(ControlEndpoints::state);
        Optional<String> registrar = call.param("registrar").filter(s -> !s.isBlank()).map(String::trim);
        Optional<String> user = call.param("user").filter(s -> !s.isBlank()).map(String::trim);
        String prefix = call.param("prefix").orElse("").trim().toUpperCase(Locale.ROOT);
        if (prefix.length() > Selector.MAX_LENGTH || !prefix.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':')) {
            throw new IllegalArgumentException("query parameter prefix must be up to " + Selector.MAX_LENGTH
                    + " hex digits or ':' (a selector prefix)");
        }
        int size = whole(call, "size", DEFAULT_SIZE);
        int page = whole(call, "page", 1);
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("query parameter size must be 1.." + MAX_SIZE + ", was " + size);
        }
        if (page < 1 || (long) (page - 1) * size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("query parameter page must be 1 or more, was " + page);
        }
        return new InstanceQuery(state, registrar, user, prefix, (page - 1) * size, size);
    }

    private static RegistrationState state(String s) {
        for (RegistrationState st : RegistrationState.values()) {
            if (st.name().equalsIgnoreCase(s.trim())) {
                return st;
            }
        }
        throw new IllegalArgumentException("query parameter state must be one of idle, registering, registered,"
                + " unauthorized, error, off; was \"" + abbreviate(s) + "\"");
    }

    private static int whole(HttpCall call, String name, int dflt) {
        String v = call.param(name).orElse(Integer.toString(dflt)).trim();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter " + name + " must be a whole number, was \""
                    + abbreviate(v) + "\"");
        }
    }

    private static String selector(Optional<String> given) {
        String s = given.map(String::trim).orElseThrow(() ->
                new IllegalArgumentException("selector is missing (query parameter or JSON body field \"selector\")"));
        if (!Selector.isValid(s)) {
            throw new IllegalArgumentException("selector \"" + abbreviate(s) + "\" is not a selector (hex digits,"
                    + " optionally ':' and more hex digits, at most " + Selector.MAX_LENGTH + " characters)");
        }
        return Selector.normalise(s);
    }

    private static JsonNode body(HttpCall call) {
        try {
            JsonNode n = HttpReply.mapper().readTree(call.body());
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + abbreviate(String.valueOf(e.getMessage())));
        }
    }

    private static String text(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("field \"" + field + "\" is missing or not a string");
        }
        return v.asText().trim();
    }

    private static HttpReply notServed(String selector) {
        return HttpReply.error(404, "instance " + selector + " is not served by this process");
    }

    private static CompletionStage<HttpReply> done(HttpReply r) {
        return CompletableFuture.completedFuture(r);
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
    }
}
