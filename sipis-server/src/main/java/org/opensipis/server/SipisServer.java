package org.opensipis.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.metrics.MetricsSink;
import org.opensipis.http.metrics.MicrometerMetricsSink;
import org.opensipis.push.PushDispatcher;
import org.opensipis.push.StandardProviders;
import org.opensipis.push.lifecycle.ExpiryPlanner;
import org.opensipis.push.lifecycle.InstanceLifecycle;
import org.opensipis.push.lifecycle.PushingLifecycleActions;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.http.HttpLimits;
import org.opensipis.http.HttpServer;
import org.opensipis.http.HttpServices;
import org.opensipis.server.control.ProcessControl;
import org.opensipis.server.control.PushTester;
import org.opensipis.server.control.RegistrarErrors;
import org.opensipis.http.abuse.AbuseControls;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.server.instances.AppHandOver;
import org.opensipis.server.instances.EngineEvents;
import org.opensipis.server.instances.LifecycleOnOwners;
import org.opensipis.server.instances.InstanceCoordinator;
import org.opensipis.server.instances.InstanceDirectory;
import org.opensipis.server.logging.LogLevels;
import org.opensipis.core.call.CallLog;
import org.opensipis.sip.call.CallConfig;
import org.opensipis.sip.call.Directory;
import org.opensipis.sip.call.IncomingListener;
import org.opensipis.sip.call.IncomingRequests;
import org.opensipis.sip.call.IncomingStats;
import org.opensipis.sip.app.AppBinding;
import org.opensipis.sip.app.AppDirectory;
import org.opensipis.sip.app.AppLegServer;
import org.opensipis.sip.app.AppPresence;
import org.opensipis.sip.owner.Owners;
import org.opensipis.sip.relay.CallProgress;
import org.opensipis.sip.relay.CallRelay;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationEngines;
import org.opensipis.sip.transport.SipEndpoint;
import org.opensipis.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one process: builds every component from one
 * {@link Configuration}, in order — store, registration engine, shard restore, change
 * notifications, HTTP — and closes them in reverse order (HTTP stops accepting, the engine
 * unregisters within {@code Registration/ShutdownTimeout}, the store writes pending state).
 */
public final class SipisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipisServer.class);

    private final Configuration configuration;
    private final SipisKey key;
    private final Clock clock;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private volatile HttpServer http;
    private volatile Store store;
    private volatile RegistrationEngine engine;
    private volatile PushDispatcher push;
    private volatile InstanceLifecycle lifecycle;
    private volatile IncomingRequests incoming;
    private volatile AppHandOver handOver;
    private volatile InstanceCoordinator coordinator;
    private volatile AppLegServer appLeg;
    private volatile boolean shardLoaded;
    private volatile HealthMonitor health;
    private volatile org.opensipis.server.lease.Rebalancer rebalancer;
    private final InstanceDirectory directory;
    private final RegistrarErrors registrarErrors = new RegistrarErrors();
    private final AppLegStarter appLegStarter;

    /**
     * How the app leg is started. Production:
     * {@link AppLegServer#start(Settings, AppDirectory, AppPresence, Owners)} (each selector on
     * the engine's owner of it, the system clock); tests give it a manual owner and a fake clock,
     * so that they fire the lapse timer themselves.
     */
    @FunctionalInterface
    interface AppLegStarter {
        AppLegServer start(Settings settings, AppDirectory directory, AppPresence presence, Owners owners)
                throws IOException;
    }

    public SipisServer(Configuration configuration, SipisKey key) {
        this(configuration, key, Clock.systemUTC());
    }

    SipisServer(Configuration configuration, SipisKey key, Clock clock) {
        this(configuration, key, clock, AppLegServer::start);
    }

    SipisServer(Configuration configuration, SipisKey key, Clock clock, AppLegStarter appLegStarter) {
        this.configuration = configuration;
        this.key = key;
        this.clock = clock;
        this.directory = new InstanceDirectory(clock);
        this.appLegStarter = appLegStarter;
    }

    /** The push dispatcher once {@link #start()} has built it (a reload reconfigures its providers). */
    public PushDispatcher push() {
        return push;
    }

    /** Starts the components; on failure closes what was started and rethrows. */
    public void start() throws Exception {
        Settings s = configuration.settings();
        Shard shard = configuration.shard();
        try {
            LOG.info("sipis {} starting: {}", s.server().name(), shard);
            store = Store.open(s.database(), s.restart(), key, s.server().name(), clock);
            started.push(store);
            LOG.info("database: {}", store.describe());

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ProcessMeters.configure(meters);
            MetricsSink metrics = new MicrometerMetricsSink(meters);

            ScheduledExecutorService pushTimer = Executors.newSingleThreadScheduledExecutor(Threads.named("sipis-push-timer"));
            started.push(() -> shutdown(pushTimer));
            push = PushDispatcher.builder(s.notificationServers(), store, new StandardProviders())
                    .clock(clock).scheduler(pushTimer).listener(new PushMetrics(metrics))
                    .onNoTokensLeft(selector -> coordinator.turnOffAndDelete(selector)).build();
            started.push(push);
            LOG.info("push: {} NotificationServers entries", s.notificationServers().size());

            EngineEvents events = new EngineEvents(directory, store.stateWriter()::write,
                    state -> {
                        if (RegistrarErrors.isError(state)) { // the lookup only for the few it keeps
                            directory.record(state.selector())
                                    .ifPresent(r -> registrarErrors.published(r.account().registrarHost(), state));
                        }
                    });
            org.opensipis.server.lease.Rebalancer leases = s.lease().enabled()
                    ? new org.opensipis.server.lease.Rebalancer(s.server().name(), store, s.lease(), directory, clock,
                    shard, configuration.lb2(), s.registration().perRegistrarRate() / 2) : null;
            rebalancer = leases;
            if (leases != null) {
                // a state made under a lease is written only while this process still holds that lease
                store.stateWriter().fence(leases::epochOf);
            }
            java.util.function.Supplier<Shard> currentShard = leases == null ? () -> shard : leases::shard;
            CallLog callLog = callLog();
            IncomingListener calls = new IncomingListener() {
                @Override
                public void callEnded(String selector, String outcome) {
                    metrics.incomingCall(outcome);
                }

                @Override
                public void rejected(String reason) {
                    metrics.incomingCallRejected(reason);
                }
            };
            // one endpoint owns the SIP sockets; the engine and the call side are its handlers,
            // built on its event loops before it binds
            CallRelay[] relay = new CallRelay[1];
            CallProgress[] progress = new CallProgress[1];
            SipEndpoint endpoint;
            try {
                endpoint = SipEndpoint.open(RegistrationEngines.transportConfig(s), ep -> {
                    // with leases, nothing is registered or refreshed outside a lease this process holds
                    engine = RegistrationEngines.create(s, events, ep,
                            leases == null ? selector -> true : leases::mayRegister);
                    relay[0] = new CallRelay(this::appBinding, engine.owners(), new SecureRandom(), s.server().realm());
                    // with leases, the fork gate decides who pushes: only the holder of the instance's lease,
                    // and during a hand-over the first of the two processes to claim the call
                    incoming = new IncomingRequests(CallConfig.of(s), Directory.of(engine), push, callLog, calls,
                            relay[0]::fromUpstream);
                    IncomingRequests in = incoming;
                    if (leases != null) {
                        in.setForkGate(leases.forkGate());
                        // a call pushed here and still waiting when its instance leaves goes to the new holder
                        in.wireHandOver((to, bytes) -> ep.flow(org.opensipis.core.instance.SipAccount.Transport.UDP, to, null)
                                .thenAccept(f -> f.send(bytes)), () -> sipAddress(s, ep.udpPort()), (sel, pairingId) -> {
                                    CallProgress p = progress[0];
                                    if (p != null) {
                                        p.waiting(sel, pairingId);
                                    }
                                });
                    }
                    return new SipEndpoint.Routes(in::onRequest,
                            List.of(engine::onResponse, relay[0]::upstreamResponse, in::onResponse), engine::onFlowClosed);
                });
            } catch (IOException | RuntimeException e) {
                if (engine != null) {
                    engine.close();
                }
                throw e;
            }
            if (leases != null) {
                leases.wireCalls(sipAddress(s, endpoint.udpPort()), incoming::handOverCalls);
            }
            started.push(endpoint); // closes after the engine: an unregistration at stop still has its sockets
            started.push(engine);

            store.bindMetrics(meters);
            ProcessMeters processMeters = new ProcessMeters(meters, engine);
            started.push(processMeters);
            pushTimer.scheduleWithFixedDelay(processMeters, 5, 5, TimeUnit.SECONDS);

            lifecycle = new InstanceLifecycle(new ExpiryPlanner(s.instance()), clock, new LifecycleOnOwners(engine.owners()),
                    new PushingLifecycleActions(store, push, selector -> engine.remove(selector), clock));
            lifecycle.start(pushTimer, Duration.ofSeconds(30));

            progress[0] = new CallProgress(incoming, relay[0]);
            handOver = new AppHandOver(directory, currentShard, engine, lifecycle, relay[0], progress[0], clock, store);
            coordinator = new InstanceCoordinator(s, currentShard, directory, engine, lifecycle, handOver, store,
                    store.stateWriter()::write);
            events.coordinator(coordinator);
            InstanceCoordinator persisting = coordinator;
            started.push(persisting::persistAll); // at a stop: before the engine and the store close

            InstanceCoordinator instances = coordinator;
            if (leases != null) {
                leases.wire(instances, selector -> {
                    AppLegServer a = appLeg;
                    if (a != null) {
                        a.flowOf(selector).ifPresent(org.opensipis.sip.app.AppFlow::close);
                    }
                });
                started.push(leases);
                leases.start(); // takes the leases it can and loads their instances; the others when handed over
                shardLoaded = true;
                // every change: a reload may give this process prefixes outside its first shard
                store.listen(Shard.all(s.server().name()), instances::changed);
            } else {
                long loaded = store.loadShard(shard, li -> instances.adopt(li.record(), li.state()));
                LOG.info("restored {} instances of {}; registering them through the throttle ({} REGISTERs/s)", loaded,
                        shard, s.registration().globalRate());
                shardLoaded = true;
                store.listen(shard, instances::changed);
            }

            appLeg = appLegStarter.start(s, handOver, handOver, engine.owners());
            started.push(appLeg);
            processMeters.bindAppLeg(appLeg.stats());
            LOG.info("app leg on {} ({})", appLeg.address(), s.server().transport());

            health = new HealthMonitor(store, engine, () -> shardLoaded, () -> appLeg);
            started.push(health);
            health.start();

            ProcessStatus status = new ProcessStatus(s.server().name(), clock, store, engine, this::callOutcomes,
                    health::checks);
            ProcessControl control = new ProcessControl(new ProcessControl.Parts(s.server().name(), directory, engine,
                    s.registration(), registrarErrors, new PushTester(store, push, clock), coordinator::turnOffAndDelete,
                    this::hasAppFlow, logLevels()));
            http = HttpServer.start(s.httpServer(), s.administrator(), new HttpServices(store, Optional.of(key),
                    s.dataProtection().acceptPlainRegistrations(), configuration.lb2(), shard, status, directory,
                    meters, clock, HttpLimits.DEFAULTS, new AbuseControls(s.abuse(), store, new DnsjavaLookup()::addresses),
                    Optional.of(control)));
            started.push(http);
            LOG.info("HTTP interface on {}", http.address());
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** The app leg's binding of a selector, once the app leg runs (it starts after the shard is restored). */
    private Optional<AppBinding> appBinding(String selector) {
        AppLegServer a = appLeg;
        return a == null ? Optional.empty() : a.bindingOf(selector);
    }

    /**
     * A reload read a new LB2 file: with {@code Lease[Enabled]}, hands over the prefixes this
     * process loses and takes those it gains (make before break); without, says a restart is needed.
     *
     * @return a line for the log
     */
    public String reloadShard(Configuration next) {
        org.opensipis.server.lease.Rebalancer r = rebalancer;
        if (r == null) {
            return configuration.shard().toString().equals(next.shard().toString()) ? "shard unchanged"
                    : "the LB2 Backend of " + next.settings().server().name() + " changed to " + next.shard()
                    + "; Lease[Enabled] is No, so it takes effect at the next restart";
        }
        try {
            org.opensipis.server.plan.ShardDelta d = r.reload(next.shard(), next.lb2());
            return d.isEmpty() ? "shard unchanged (" + next.shard() + ")" : "shard now " + next.shard() + ": gains "
                    + d.gained().keySet() + ", loses " + d.lost().keySet();
        } catch (IllegalArgumentException e) {
            return "the new LB2 file is refused, the shard stays " + r.shard() + ": " + e.getMessage();
        }
    }

    /**
     * Where this process receives SIP, as its peers reach it: {@code Registration[Address]} (or,
     * when that is the wildcard, {@code Server[PrivateAddress]}, else {@code Server[Address]}) and
     * the bound UDP port. From the settings only: peers forward handed-over calls here.
     */
    static String sipAddress(Settings s, int udpPort) {
        String host = s.registration().address();
        if (host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = s.server().privateAddress().orElse(s.server().address());
        }
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + udpPort;
    }

    /** Run-time log levels, when logging is logback's (it always is in the product). */
    private static Optional<LogLevels> logLevels() {
        try {
            return Optional.of(LogLevels.current());
        } catch (IllegalStateException e) {
            LOG.warn("{}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Missed calls and undelivered messages: kept in the database. */
    private CallLog callLog() {
        return store.callLog();
    }

    /** The Incoming Call Outcomes section of /stats. */
    private Map<String, Long> callOutcomes() {
        IncomingRequests in = incoming;
        if (in == null) {
            return Map.of();
        }
        IncomingStats st = in.stats();
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        out.put("accepted", st.accepted());
        out.put("answered", st.answered());
        out.put("answered elsewhere", st.answeredElsewhere());
        out.put("missed", st.missed());
        out.put("pending", st.pending());
        st.outcomes().forEach((k, v) -> out.put("ended: " + k, v));
        return out;
    }

    private static void shutdown(ExecutorService executor) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Configuration configuration() {
        return configuration;
    }

    /** The bound app-leg port (tests). */
    public int appLegPort() {
        return appLeg.port();
    }

    /** Whether an app flow is bound to the selector on this process (tests, /stats). */
    public boolean hasAppFlow(String selector) {
        return appLeg != null && appLeg.flowOf(selector).isPresent();
    }

    /** The bound HTTP port (tests). */
    public int httpPort() {
        return http.port();
    }

    public InstanceDirectory directory() {
        return directory;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
