package org.opensipis.core.settings;

import java.util.Objects;

/** {@code <HttpServer>}: the HTTP interface (registration, status pages, metrics). */
public record HttpServerSettings(String address, int port, AuthenticationMethod authenticationMethod) {

    /** How the admin pages are protected; {@code NONE} when nginx in front does it. */
    public enum AuthenticationMethod { DIGEST, BASIC, NONE }

    public HttpServerSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(authenticationMethod, "authenticationMethod");
    }
}
