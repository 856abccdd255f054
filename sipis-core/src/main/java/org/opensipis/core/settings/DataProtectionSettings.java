package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code <DataProtection KeyFileName AcceptPlainRegistrations>}: where {@code sipis.key} is
 * (default: next to the settings file) and whether the HTTP registration endpoint also
 * accepts bodies that are not encrypted with it.
 */
public record DataProtectionSettings(Path keyFileName, boolean acceptPlainRegistrations) {
    public DataProtectionSettings {
        Objects.requireNonNull(keyFileName, "keyFileName");
    }
}
