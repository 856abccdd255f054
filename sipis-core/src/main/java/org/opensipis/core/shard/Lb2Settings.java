package org.opensipis.core.shard;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parts of LoadBalancer2's {@code Settings.xml} that SIPIS and our LB2 use: the
 * Frontend listen addresses (with the default TLS options) and the Backend routing table.
 * Built by {@link Lb2Loader}.
 */
public record Lb2Settings(Path file, List<HostPort> udp, List<HostPort> tcp, List<HostPort> tls,
                          TlsOptions defaultTlsOptions, List<Backend> backends) {

    /** The route LB2 uses when the Backend section has no entries. */
    public static final HostPort DEFAULT_ROUTE = new HostPort("127.0.0.1", 14998);

    /** {@code <DefaultTlsOptions MinVersion MaxVersion>} with certificate and key files. */
    public record TlsOptions(String minVersion, String maxVersion, Optional<Path> certificate,
                             Optional<Path> privateKey, List<String> cipherSuites) {
        public TlsOptions {
            Objects.requireNonNull(minVersion, "minVersion");
            Objects.requireNonNull(maxVersion, "maxVersion");
            cipherSuites = List.copyOf(cipherSuites);
        }
    }

    public Lb2Settings {
        udp = List.copyOf(udp);
        tcp = List.copyOf(tcp);
        tls = List.copyOf(tls);
        Objects.requireNonNull(defaultTlsOptions, "defaultTlsOptions");
        backends = List.copyOf(backends);
    }

    /** The first Backend entry, in file order, that matches the selector and app id. */
    public Optional<Backend> route(String selector, String appId) {
        for (Backend b : backends) {
            if (b.matches(selector, appId)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** The distinct backend names, sorted (for "did you mean" and warnings). */
    public Set<String> names() {
        Set<String> out = new TreeSet<>();
        for (Backend b : backends) {
            b.name().ifPresent(out::add);
        }
        return out;
    }

    /** The shard of the process called {@code serverName}. */
    public Shard shardOf(String serverName, boolean filterInstances) {
        return filterInstances ? Shard.filtered(serverName, backends) : Shard.all(serverName);
    }
}
