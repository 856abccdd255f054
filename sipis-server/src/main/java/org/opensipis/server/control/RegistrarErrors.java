package org.opensipis.server.control;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.http.control.ControlViews.RegistrarError;

/**
 * The last few failures per registrar host, for {@code GET /control/registrars}. Fed with every
 * published state (from the engine's owner threads); bounded: {@value #PER_REGISTRAR} errors per
 * registrar and at most {@value #MAX_REGISTRARS} registrars (the least recently failing is
 * dropped), because apps choose the registrar names.
 */
public final class RegistrarErrors {

    static final int PER_REGISTRAR = 5;
    static final int MAX_REGISTRARS = 10_000;

    private final Map<String, ArrayDeque<RegistrarError>> byRegistrar = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<RegistrarError>> eldest) {
            return size() > MAX_REGISTRARS;
        }
    };

    /** A state was published for an instance of {@code registrarHost}; failures are remembered. */
    /** Whether {@link #published} keeps {@code s}: an error or a refused authorization. */
    public static boolean isError(InstanceState s) {
        return s.state() == RegistrationState.ERROR || s.state() == RegistrationState.UNAUTHORIZED;
    }

    public void published(String registrarHost, InstanceState s) {
        if (!isError(s)) {
            return;
        }
        RegistrarError e = new RegistrarError(s.changedAt().toString(), s.selector(),
                s.state().name().toLowerCase(Locale.ROOT), s.reason());
        synchronized (byRegistrar) {
            ArrayDeque<RegistrarError> q = byRegistrar.computeIfAbsent(key(registrarHost), k -> new ArrayDeque<>());
            q.addFirst(e);
            while (q.size() > PER_REGISTRAR) {
                q.removeLast();
            }
        }
    }

    /** The newest first. */
    public List<RegistrarError> last(String registrarHost) {
        synchronized (byRegistrar) {
            ArrayDeque<RegistrarError> q = byRegistrar.get(key(registrarHost));
            return q == null ? List.of() : new ArrayList<>(q);
        }
    }

    static String key(String host) {
        return host.toLowerCase(Locale.ROOT);
    }

    /** For tests: when the newest error of a registrar happened. */
    Instant newest(String registrarHost) {
        List<RegistrarError> l = last(registrarHost);
        return l.isEmpty() ? Instant.EPOCH : Instant.parse(l.get(0).at());
    }
}
