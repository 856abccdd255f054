package org.opensipis.sip.testing;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.abuse.PortSet;
import org.opensipis.core.abuse.TargetPolicy;
import org.opensipis.core.abuse.TargetRule;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.settings.TlsClientCertificate;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.owner.ManualOwner;
import org.opensipis.sip.registration.EngineConfig;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationEngines;
import org.opensipis.sip.registration.RegistrationListener;
import org.opensipis.sip.transport.TransportConfig;

/** An engine on a manual owner and a fake clock, plus helpers to build instances. */
public final class EngineHarness implements AutoCloseable {

    public final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    public final ManualOwner owner = new ManualOwner(clock);
    public final List<InstanceState> states = new CopyOnWriteArrayList<>();
    public final RegistrationEngine engine;

    /**
     * The tests' registrars and Kamailio listen on loopback, which the default policy refuses:
     * the tests opt in to 127.0.0.0/8 and ::1 explicitly, as an operator would.
     */
    public static final TargetPolicy LOOPBACK = new TargetPolicy(true, PortSet.ALL, List.of(
            new TargetRule(true, Optional.empty(), Optional.of(Cidr.parse("127.0.0.0/8")), Optional.empty(), "test"),
            new TargetRule(true, Optional.empty(), Optional.of(Cidr.parse("::1")), Optional.empty(), "test")));

    public EngineHarness(RegistrationSettings settings) throws IOException {
        this(settings, Optional.empty(), false, Duration.ofSeconds(30));
    }

    public EngineHarness(RegistrationSettings settings, Optional<java.nio.file.Path> trusted, boolean keepAlive,
                         Duration keepAlivePeriod) throws IOException {
        this(settings, trusted, keepAlive, keepAlivePeriod, new DnsjavaLookup());
    }

    public EngineHarness(RegistrationSettings settings, Optional<java.nio.file.Path> trusted, boolean keepAlive,
                         Duration keepAlivePeriod, org.opensipis.sip.dns.DnsLookup dns) throws IOException {
        this(settings, trusted, List.of(), keepAlive, keepAlivePeriod, dns);
    }

    /** With TLS client certificates ({@code TlsClientCertificates}) by registrar host. */
    public EngineHarness(RegistrationSettings settings, Optional<java.nio.file.Path> trusted,
                         List<TlsClientCertificate> clientCertificates, boolean keepAlive, Duration keepAlivePeriod,
                         org.opensipis.sip.dns.DnsLookup dns) throws IOException {
        this(settings, trusted, clientCertificates, keepAlive, keepAlivePeriod, dns, LOOPBACK);
    }

    /** With a {@code <RegistrarTargets>} policy of the test's own. */
    public EngineHarness(RegistrationSettings settings, Optional<java.nio.file.Path> trusted,
                         List<TlsClientCertificate> clientCertificates, boolean keepAlive, Duration keepAlivePeriod,
                         org.opensipis.sip.dns.DnsLookup dns, TargetPolicy targets) throws IOException {
        TransportConfig tc = new TransportConfig("127.0.0.1", 1, trusted, clientCertificates, keepAlive, keepAlivePeriod,
                Duration.ofSeconds(5));
        EngineConfig cfg = new EngineConfig("test-server", Optional.empty(), "SIPIS-test/1.0", settings, tc, clock,
                List.of(owner), Optional.of(owner), dns, Runnable::run, new Random(7), true, 500, targets);
        engine = RegistrationEngines.open(cfg, new RegistrationListener() {
            @Override
            public void stateChanged(InstanceState state) {
                states.add(state);
            }
        });
    }

    /** Default test settings: generous rates, no jitter. */
    public static RegistrationSettings settings() {
        return new RegistrationSettings(1000, 1000, 100, 0.5, 0.0, Duration.ofSeconds(600),
                Duration.ofSeconds(10), Duration.ofSeconds(80), Duration.ofSeconds(60), Duration.ofSeconds(240),
                Duration.ofSeconds(300), Duration.ofSeconds(1200), Duration.ofSeconds(2));
    }

    public static InstanceRecord record(String selector, String user, String password, int port, SipAccount.Transport t) {
        return record(selector, user, password, "127.0.0.1", port, t);
    }

    public static InstanceRecord record(String selector, String user, String password, String proxy, int port,
                                        SipAccount.Transport t) {
        SipAccount a = new SipAccount(user, user, Secret.of(password), "127.0.0.1", Optional.of(proxy), port, t,
                "Test " + user, Optional.empty());
        return new InstanceRecord(selector, "com.example.app", false, a, Secret.of("app"), List.of(),
                Instant.parse("2026-01-01T00:00:00Z"), false);
    }

    /** Runs owner work until the condition holds (loopback I/O completes on other threads). */
    public void settle(BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(2)).until(() -> {
                    owner.runReady();
                    return condition.getAsBoolean();
                });
    }

    public RegistrationState stateOf(String selector) {
        owner.runReady();
        return engine.state(selector).map(InstanceState::state).orElse(null);
    }

    public void awaitState(String selector, RegistrationState s) {
        settle(() -> engine.state(selector).map(InstanceState::state).orElse(null) == s);
    }

    public long sent() {
        owner.runReady();
        return engine.stats().registersSent();
    }

    public void advance(Duration d) {
        owner.advance(d);
    }

    @Override
    public void close() {
        Thread closer = new Thread(engine::close, "test-engine-close");
        closer.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(2)).until(() -> {
            owner.runReady();
            owner.advance(Duration.ofMillis(100));
            return !closer.isAlive();
        });
    }
}
