package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code <TlsServerOptions MinVersion MaxVersion>} with {@code <Certificate FileName>},
 * {@code <PrivateKey FileName>} and {@code <CipherSuites>} children (the shape of LB2's
 * {@code DefaultTlsOptions}); used when {@code Server[Transport]="Tls"}.
 */
public record TlsServerOptions(String minVersion, String maxVersion, Optional<Path> certificate,
                               Optional<Path> privateKey, List<String> cipherSuites) {
    public TlsServerOptions {
        Objects.requireNonNull(minVersion, "minVersion");
        Objects.requireNonNull(maxVersion, "maxVersion");
        cipherSuites = List.copyOf(cipherSuites);
    }
}
