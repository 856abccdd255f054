package org.opensipis.core.shard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.settings.SettingsLoader;
import org.opensipis.core.settings.TlsServerOptions;
import org.opensipis.core.xml.ElementReader;
import org.opensipis.core.xml.Problem;
import org.opensipis.core.xml.Problems;
import org.opensipis.core.xml.SecureXml;
import org.opensipis.core.xml.XmlException;
import org.opensipis.core.xml.XmlNode;

/**
 * Reads LoadBalancer2's {@code Settings.xml} ({@code <LoadBalancer2>} with {@code Frontend}
 * and {@code Backend}), names matched case-insensitively, every problem reported at once.
 */
public final class Lb2Loader {

    /** A loaded LB2 file and the warnings found while reading it. */
    public record Loaded(Lb2Settings settings, List<Problem> warnings) {
    }

    private Lb2Loader() {
    }

    public static Loaded load(Path file) throws SettingsException {
        Problems problems = new Problems();
        XmlNode node;
        try {
            node = SecureXml.parse(file);
        } catch (XmlException e) {
            problems.error(e.file(), e.line(), "", e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
            throw new SettingsException(file, problems.all());
        }
        if (!node.key().equals("loadbalancer2")) {
            problems.error(node.file(), node.line(), node.name(),
                    "the root element of a LoadBalancer2 settings file must be <LoadBalancer2>, found <" + node.name() + ">");
            throw new SettingsException(file, problems.all());
        }
        ElementReader root = ElementReader.root(node, problems);
        ElementReader frontend = root.child("Frontend");
        List<HostPort> udp = addresses(frontend.children("Udp"));
        List<HostPort> tcp = addresses(frontend.children("Tcp"));
        List<HostPort> tls = addresses(frontend.children("Tls"));
        Lb2Settings.TlsOptions tlsOptions = tlsOptions(frontend.child("DefaultTlsOptions"));
        List<Backend> backends = new ArrayList<>();
        for (ElementReader s : root.child("Backend").children("Sipis")) {
            Optional<String> name = s.optString("Name").map(String::trim).filter(v -> !v.isEmpty());
            SelectorPrefix prefix = s.parsed("SelectorPrefix", SelectorPrefix::parse).orElse(SelectorPrefix.ALL);
            String appIdPrefix = s.string("AppIdPrefix", "").trim();
            Optional<HostPort> address = s.parsed("Address", HostPort::parse);
            if (s.optString("Address").isEmpty()) {
                s.error("[Address] is missing; a backend needs Host:Port (e.g. 127.0.0.1:14998)");
            }
            if (address.isPresent()) {
                backends.add(new Backend(name, prefix, appIdPrefix, address.get(), s.file(), s.line()));
            }
        }
        root.ignore("Sentry");
        root.reportUnknown();
        warnShadowed(backends, problems);
        if (problems.hasErrors()) {
            throw new SettingsException(file, problems.all());
        }
        return new Loaded(new Lb2Settings(file, udp, tcp, tls, tlsOptions, backends), problems.warnings());
    }

    private static List<HostPort> addresses(List<ElementReader> elements) {
        List<HostPort> out = new ArrayList<>();
        for (ElementReader e : elements) {
            e.parsed("Address", HostPort::parse).ifPresent(out::add);
            if (e.optString("Address").isEmpty()) {
                e.error("[Address] is missing (Host:Port, e.g. 0:4998)");
            }
        }
        return out;
    }

    private static Lb2Settings.TlsOptions tlsOptions(ElementReader t) {
        TlsServerOptions o = SettingsLoader.tlsServerOptions(t);
        return new Lb2Settings.TlsOptions(o.minVersion(), o.maxVersion(), o.certificate(), o.privateKey(), o.cipherSuites());
    }

    /** An entry after a catch-all with the same app-id prefix can never be reached. */
    private static void warnShadowed(List<Backend> backends, Problems problems) {
        for (int i = 0; i < backends.size(); i++) {
            Backend earlier = backends.get(i);
            if (!earlier.selectorPrefix().isAll()) {
                continue;
            }
            for (int j = i + 1; j < backends.size(); j++) {
                Backend later = backends.get(j);
                if (later.appIdPrefix().startsWith(earlier.appIdPrefix())) {
                    problems.warning(later.file(), later.line(), "LoadBalancer2/Backend/Sipis",
                            "this entry is never used: the catch-all entry at line " + earlier.line()
                                    + " matches every selector first (entries are tried in file order)");
                }
            }
        }
    }
}
