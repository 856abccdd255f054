package org.opensipis.core.settings;

import java.util.Objects;

/** {@code <Administrator>}: credentials for the protected HTTP pages. */
public record AdministratorSettings(String userName, Secret password) {
    public AdministratorSettings {
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(password, "password");
    }
}
