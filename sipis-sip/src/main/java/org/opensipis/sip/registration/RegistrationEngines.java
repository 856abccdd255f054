package org.opensipis.sip.registration;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.core.settings.Settings;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.transport.SipEndpoint;
import org.opensipis.sip.transport.SipTimers;
import org.opensipis.sip.transport.TransportConfig;

/** The ways to build a {@link RegistrationEngine}: the production form and a registering stack alone. */
public final class RegistrationEngines {

    private RegistrationEngines() {
    }

    /**
     * An engine on its own endpoint that serves no requests (a registering stack alone: tests,
     * benchmarks). Closing the engine closes the endpoint.
     */
    public static RegistrationEngine open(EngineConfig cfg, RegistrationListener listener) throws IOException {
        RegistrationEngine[] built = new RegistrationEngine[1];
        List<AutoCloseable> owned = new ArrayList<>();
        SipEndpoint endpoint = SipEndpoint.open(cfg.transport(), ep -> {
            built[0] = new RegistrationEngine(cfg, listener, ep, owned);
            return routesAlone(built[0]);
        });
        owned.add(endpoint);
        return built[0];
    }

    /** Routes for an endpoint only {@code engine} uses: its responses and closed flows, no requests. */
    public static SipEndpoint.Routes routesAlone(RegistrationEngine engine) {
        return new SipEndpoint.Routes(SipEndpoint.Routes.NO_REQUESTS, List.of(engine::onResponse), engine::onFlowClosed);
    }

    /**
     * The process's endpoint settings: {@code availableProcessors / 2} I/O event loops
     * ("sipis-sip-io-*"), {@code Registration[Address]}/{@code [Port]}, TLS trust and client
     * certificates, keep-alives.
     */
    public static TransportConfig transportConfig(Settings settings) {
        int n = Runtime.getRuntime().availableProcessors();
        return new TransportConfig(settings.registration().address(), Math.max(1, n / 2),
                settings.trustedCertificates(), settings.tlsClientCertificates(), settings.instance().keepAlive(),
                settings.instance().keepAlivePeriod(), Duration.ofSeconds(10), settings.registration().port());
    }

    /**
     * The production engine for a process, on the process's endpoint: instances owned by the
     * endpoint's Netty I/O event loops (the UDP socket's loop handles its responses and sends its
     * REGISTERs without waking another thread), the throttle on the UDP loop, a DNS executor of 4
     * threads, system clock and dnsjava. Closing the engine closes the DNS executor, not the endpoint.
     */
    public static RegistrationEngine create(Settings settings, RegistrationListener listener, SipEndpoint endpoint) {
        return create(settings, listener, endpoint, selector -> true);
    }

    /**
     * As {@link #create(Settings, RegistrationListener, SipEndpoint)}, with the gate asked before
     * every REGISTER (not an Expires 0): the server's leases of selector prefixes.
     */
    public static RegistrationEngine create(Settings settings, RegistrationListener listener, SipEndpoint endpoint,
                                            java.util.function.Predicate<String> mayRegister) {
        List<AutoCloseable> owned = new ArrayList<>();
        AtomicInteger dnsThreads = new AtomicInteger();
        ThreadPoolExecutor dns = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "sipis-sip-dns-" + dnsThreads.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        dns.allowCoreThreadTimeOut(true);
        owned.add(dns::shutdownNow);
        EngineConfig cfg = new EngineConfig(settings.server().name(), settings.server().advertisedAddress(),
                settings.instance().userAgent(), settings.registration(), transportConfig(settings), Clock.systemUTC(),
                List.of(), Optional.empty(), new DnsjavaLookup(), dns, new Random(), true, SipTimers.DEFAULT_T1_MILLIS, settings.abuse().targets());
        RegistrationEngine engine = new RegistrationEngine(cfg, listener, endpoint, owned);
        engine.setRegisterGate(mayRegister);
        return engine;
    }
}
