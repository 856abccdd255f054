package org.opensipis.sip.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.call.InMemoryCallLog;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.IncomingCallSettings;
import org.opensipis.core.settings.RejectWith;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.settings.TextMessageFilter;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.PushPolicy;
import org.opensipis.push.apns.ApnsProvider;
import org.opensipis.sip.call.CallConfig;
import org.opensipis.sip.call.Directory;
import org.opensipis.sip.call.IncomingListener;
import org.opensipis.sip.call.IncomingRequests;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.registration.EngineConfig;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationListener;
import org.opensipis.sip.transport.TransportConfig;

/**
 * The real incoming-call stack on real threads and the system clock: the registration engine
 * (its sockets, with instances and the throttle on its I/O event loops as in production),
 * IncomingRequests wired to it, the push dispatcher with the APNs
 * provider against {@link ApnsMock}, and an in-memory call log.
 */
public final class Stack implements AutoCloseable {

    public final ApnsMock apns;
    public final ApnsProvider provider;
    public final PushDispatcher push;
    public final InMemoryCallLog log = new InMemoryCallLog();
    public final RegistrationEngine engine;
    public final IncomingRequests incoming;

    public Stack(Path dir, Duration t1, List<TextMessageFilter> filters) throws Exception {
        apns = new ApnsMock(dir);
        provider = apns.provider();
        push = PushDispatcher.builder(List.of(apns.route()), new NoStore(), route -> provider)
                .policy(new PushPolicy(Duration.ofMillis(20), Duration.ofMillis(200), 3, 10_000, 50,
                        Duration.ofSeconds(30)))
                .build();
        TransportConfig tc = new TransportConfig("127.0.0.1", 1, Optional.empty(), List.of(), false,
                Duration.ofSeconds(30), Duration.ofSeconds(5));
        EngineConfig ec = new EngineConfig("e2e", Optional.empty(), "SIPIS-e2e", EngineHarness.settings(), tc,
                Clock.systemUTC(), List.of(), Optional.empty(), new DnsjavaLookup(), Runnable::run, new Random(), true, 500, EngineHarness.LOOPBACK);
        engine = new RegistrationEngine(ec, new RegistrationListener() {
            @Override
            public void stateChanged(InstanceState state) {
            }
        });
        CallConfig cc = new CallConfig(new IncomingCallSettings(t1, t1, new RejectWith(480, "Temporarily Unavailable")),
                filters, "SIPIS-e2e", Optional.empty(), Clock.systemUTC(), new SecureRandom(), 500, 10_000, 5);
        incoming = new IncomingRequests(cc, Directory.of(engine), push, log, IncomingListener.NONE);
        engine.setRequestHandler(incoming::onRequest);
    }

    /** An instance of {@code user} at the registrar 127.0.0.1:{@code port} with a VoIP and an alert token. */
    public static InstanceRecord instance(String selector, String user, String password, int port) {
        SipAccount a = new SipAccount(user, user, Secret.of(password), "127.0.0.1", Optional.of("127.0.0.1"), port,
                SipAccount.Transport.UDP, "Test " + user, Optional.empty());
        Instant now = Instant.now();
        return new InstanceRecord(selector, ApnsMock.BUNDLE, false, a, Secret.of("app"), List.of(
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, ApnsMock.BUNDLE, ApnsMock.VOIP, now),
                new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.OTHER, ApnsMock.BUNDLE, ApnsMock.ALERT, now)),
                now, false);
    }

    @Override
    public void close() throws Exception {
        engine.close();
        push.close(); // closes the provider too
        apns.close();
    }

    /** No store behind the dispatcher: the mock never reports dead tokens here. */
    private static final class NoStore implements InstanceStore {
        private final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Void> saveRegistration(InstanceRecord record) {
            records.put(record.selector(), record);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Optional<InstanceRecord>> find(String selector) {
            return CompletableFuture.completedFuture(Optional.ofNullable(records.get(selector)));
        }

        @Override
        public CompletableFuture<Boolean> delete(String selector) {
            return CompletableFuture.completedFuture(records.remove(selector) != null);
        }

        @Override
        public CompletableFuture<Boolean> removeToken(String selector, String token) {
            return CompletableFuture.completedFuture(false);
        }
    }
}
