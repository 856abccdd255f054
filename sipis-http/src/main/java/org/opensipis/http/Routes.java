package org.opensipis.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.opensipis.http.auth.AdminAuth;
import org.opensipis.http.route.Endpoint;

/** The path table: path -> (method -> endpoint), and which paths need admin credentials. Immutable once built. */
final class Routes {

    record Route(Map<String, Endpoint> byMethod, Optional<AdminAuth> guard) {
        String allow() {
            return String.join(", ", new TreeSet<>(byMethod.keySet()));
        }
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();

    Routes add(String method, String path, Endpoint e, Optional<AdminAuth> guard) {
        Route r = routes.computeIfAbsent(path, p -> new Route(new LinkedHashMap<>(), guard));
        r.byMethod().put(method, e);
        return this;
    }

    Optional<Route> find(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return Optional.ofNullable(routes.get(p));
    }
}
