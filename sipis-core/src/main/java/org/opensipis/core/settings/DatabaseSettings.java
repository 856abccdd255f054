package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code <Database>}.
 *
 * @param openString        libpq key=value string; empty means "start the embedded PostgreSQL"
 * @param embeddedDirectory data directory of the embedded PostgreSQL ({@code EmbeddedDirectory})
 * @param poolSize          maximum JDBC connections of this process ({@code PoolSize})
 */
public record DatabaseSettings(Optional<OpenString> openString, Path embeddedDirectory, int poolSize) {
    public DatabaseSettings {
        Objects.requireNonNull(openString, "openString");
        Objects.requireNonNull(embeddedDirectory, "embeddedDirectory");
    }

    public boolean embedded() {
        return openString.isEmpty();
    }
}
