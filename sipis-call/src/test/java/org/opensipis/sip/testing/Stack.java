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
import java.util.function.Function;
import org.opensipis.sip.app.AppBinding;
import org.opensipis.sip.call.CallConfig;
import org.opensipis.sip.call.Directory;
import org.opensipis.sip.call.IncomingListener;
import org.opensipis.sip.call.IncomingRequests;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.registration.EngineConfig;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationListener;
import org.opensipis.sip.relay.CallProgress;
import org.opensipis.sip.relay.CallRelay;
import org.opensipis.sip.transport.SipEndpoint;
import org.opensipis.sip.transport.TransportConfig;

/**
 * The real incoming-call stack on real threads and the system clock, wired as the composition
 * root wires it: one endpoint (its sockets, with instances and the throttle on its I/O event
 * loops as in production) routing to the registration engine, IncomingRequests and the call relay
 * (on the engine's owners; the app leg's bindings come from {@link #appBindings}), the push
 * dispatcher with the APNs provider against {@link ApnsMock}, and an in-memory call log.
 */
public final class Stack implements AutoCloseable {

    public final ApnsMock apns;
    public final ApnsProvider provider;
    public final PushDispatcher push;
    public final InMemoryCallLog log = new InMemoryCallLog();
    public final RegistrationEngine engine;
    public final IncomingRequests incoming;
    public final CallRelay relay;
    public final CallProgress progress;
    /** The app leg's bindings by selector, for the relay (a test with an app leg points it there). */
    public volatile Function<String, Optional<AppBinding>> appBindings = selector -> Optional.empty();
    private final SipEndpoint endpoint;

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
        CallConfig cc = new CallConfig(new IncomingCallSettings(t1, t1, new RejectWith(480, "Temporarily Unavailable")),
                filters, "SIPIS-e2e", Optional.empty(), Clock.systemUTC(), new SecureRandom(), 500, 10_000, 5);
        Parts p = new Parts();
        endpoint = SipEndpoint.open(tc, ep -> {
            p.engine = new RegistrationEngine(ec, new RegistrationListener() {
                @Override
                public void stateChanged(InstanceState state) {
                }
            }, ep);
            p.relay = new CallRelay(selector -> appBindings.apply(selector), p.engine.owners(), new SecureRandom(), "sipis.test");
            p.incoming = new IncomingRequests(cc, Directory.of(p.engine), push, log, IncomingListener.NONE, p.relay::fromUpstream);
            return new SipEndpoint.Routes(p.incoming::onRequest, List.of(p.engine::onResponse, p.relay::upstreamResponse),
                    p.engine::onFlowClosed);
        });
        engine = p.engine;
        relay = p.relay;
        incoming = p.incoming;
        progress = new CallProgress(incoming, relay);
    }

    /** What the endpoint's wiring builds. */
    private static final class Parts {
        RegistrationEngine engine;
        CallRelay relay;
        IncomingRequests incoming;
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
        endpoint.close();
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
