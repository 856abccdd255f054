package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.Objects;

/** {@code <TlsClientCertificates><Certificate Host FileName RsaPrivateKeyFileName/>}. */
public record TlsClientCertificate(String host, Path fileName, Path privateKeyFileName) {
    public TlsClientCertificate {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(privateKeyFileName, "privateKeyFileName");
    }
}
