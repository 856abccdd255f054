package org.opensipis.push;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.push.PushListener;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.settings.PushRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PushService}: routes each request to the first NotificationServers entry whose
 * app-id prefix matches the token's app id (and whose provider can deliver that token's
 * platform), makes the attempt, retries transient failures with exponential backoff while
 * the next attempt can still start before the request's deadline, and prunes dead tokens
 * through {@link InstanceStore#removeToken}. Each provider has its own circuit breaker and
 * in-flight bound, so one failing provider cannot hold up the others.
 */
public final class PushDispatcher implements PushService, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushDispatcher.class);

    private volatile List<Lane> lanes;
    private final ProviderFactory factory;
    private final Duration drainTimeout;
    private final Set<Lane> retiring = ConcurrentHashMap.newKeySet();
    private final InstanceStore store;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final PushPolicy policy;
    private final PushListener listener;
    private final Function<String, CompletableFuture<?>> noTokensLeft;

    private PushDispatcher(Builder b) {
        this.store = b.store;
        this.clock = b.clock;
        this.policy = b.policy;
        this.listener = b.listener;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipis-push-retry");
            t.setDaemon(true);
            return t;
        }) : b.scheduler;
        this.noTokensLeft = b.noTokensLeft != null ? b.noTokensLeft : store::delete;
        this.factory = b.factory;
        this.drainTimeout = b.drainTimeout;
        List<Lane> built = new ArrayList<>();
        try {
            for (PushRoute route : b.routes) {
                built.add(new Lane(route, b.factory.create(route), newBreaker(), CredentialFiles.fingerprint(route)));
            }
        } catch (RuntimeException e) {
            built.forEach(Lane::closeOnce);
            if (ownsScheduler) {
                scheduler.shutdownNow();
            }
            throw e;
        }
        this.lanes = List.copyOf(built);
    }

    private CircuitBreaker newBreaker() {
        return new CircuitBreaker(clock, policy.breakerThreshold(), policy.breakerOpenFor());
    }

    /**
     * Builds the providers for these NotificationServers entries (a reload) without touching
     * the running ones: entries that changed, or whose credential files now have other
     * contents, get a new provider; the others keep theirs. Throws {@link PushConfigException}
     * (naming the entry, setting and file) when one cannot be built; nothing changes then.
     */
    public ProviderChange prepare(List<PushRoute> routes) {
        return ProviderChange.build(lanes, List.copyOf(routes), factory, this::newBreaker);
    }

    /**
     * Swaps a prepared change in atomically: new pushes use the new providers at once; pushes
     * in flight on a replaced provider finish there (with their retries), then its client is
     * closed, at the latest after the drain timeout. The future completes when the replaced
     * clients are closed.
     */
    public synchronized CompletableFuture<Void> apply(ProviderChange change) {
        if (change.base != lanes) {
            change.discard();
            throw new IllegalStateException("the push providers changed since this change was prepared");
        }
        lanes = change.next;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Lane old : change.retired) {
            retiring.add(old);
            int busy = old.inFlight.get();
            closing.add(old.retire()
                    .thenApply(v -> "after its pushes in flight finished")
                    .completeOnTimeout("after " + drainTimeout.toSeconds() + " s with pushes still in flight",
                            drainTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .thenCompose(how -> old.closeOnce().thenRun(() -> {
                        retiring.remove(old);
                        LOG.info("push: closed the previous {} client {} ({} were in flight at the swap)",
                                old.describe(), how, busy);
                    })));
        }
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }

    /** Starts a dispatcher over these NotificationServers entries (file order = priority). */
    public static Builder builder(List<PushRoute> routes, InstanceStore store, ProviderFactory factory) {
        return new Builder(routes, store, factory);
    }

    @Override
    public CompletableFuture<PushOutcome> push(PushRequest request) {
        Objects.requireNonNull(request, "request");
        long started = System.nanoTime();
        Optional<Lane> found = laneFor(request.target());
        if (found.isEmpty()) {
            LOG.warn("No NotificationServers entry can push {}", request.describe());
            return CompletableFuture.completedFuture(PushOutcome.Rejected.of("no NotificationServers entry for app id "
                    + request.appId() + " and platform " + request.target().platform()));
        }
        Lane lane = found.get();
        // A reload may retire the lane between the look-up and the count: then take the new one.
        lane.inFlight.incrementAndGet();
        for (int tries = 0; lane.retired() && tries < 3; tries++) {
            lane.release();
            Optional<Lane> again = laneFor(request.target());
            if (again.isEmpty()) {
                return push(request);
            }
            lane = again.get();
            lane.inFlight.incrementAndGet();
        }
        Lane claimed = lane;
        CompletableFuture<PushOutcome> result = new CompletableFuture<>();
        if (claimed.inFlight.get() > policy.maxInFlight()) {
            claimed.release();
            listener.queueFull(claimed.kind());
            listener.completed(claimed.kind(), request.verb(), PushOutcome.Kind.FAILED, Duration.ZERO);
            return CompletableFuture.completedFuture(PushOutcome.Failed.transientFailure(
                    "too many pushes in flight to " + claimed.kind() + " (" + policy.maxInFlight() + ")"));
        }
        // The caller's future completes only after the bookkeeping, so counts are exact when it sees it.
        CompletableFuture<PushOutcome> done = result.whenComplete((o, e) -> {
            claimed.release();
            PushOutcome.Kind kind = o != null ? o.kind() : PushOutcome.Kind.FAILED;
            listener.completed(claimed.kind(), request.verb(), kind, Duration.ofNanos(System.nanoTime() - started));
            if (LOG.isDebugEnabled()) { // describe() builds a string: not on every push
                LOG.debug("Push {} -> {}", request.describe(), o);
            }
        });
        attempt(claimed, request, 1, result);
        return done;
    }

    private void attempt(Lane lane, PushRequest request, int attempt, CompletableFuture<PushOutcome> result) {
        if (!lane.breaker.allow()) {
            result.complete(new PushOutcome.Failed(true, "circuit open for " + lane.kind() + " ("
                    + lane.route.appIdPrefix() + ")", attempt - 1));
            return;
        }
        CompletableFuture<PushOutcome> sent;
        try {
            sent = lane.provider.send(request);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.handle((o, e) -> o != null ? o : PushOutcome.Failed.transientFailure(describe(e)))
                .thenAccept(o -> afterAttempt(lane, request, attempt, o, result));
    }

    private void afterAttempt(Lane lane, PushRequest request, int attempt, PushOutcome outcome,
                              CompletableFuture<PushOutcome> result) {
        switch (outcome.kind()) {
            case ACCEPTED:
                breakerChange(lane, lane.breaker.success());
                result.complete(outcome);
                break;
            case REJECTED:
                breakerChange(lane, lane.breaker.success());
                PushOutcome.Rejected rejected = (PushOutcome.Rejected) outcome;
                if (rejected.permanentTokenError()) {
                    prune(lane, request, rejected).whenComplete((v, e) -> result.complete(outcome));
                } else {
                    LOG.warn("Push {} rejected: {}", request.describe(), rejected.reason());
                    result.complete(outcome);
                }
                break;
            default:
                PushOutcome.Failed failed = ((PushOutcome.Failed) outcome).withAttempts(attempt);
                if (!failed.transientError()) {
                    result.complete(failed);
                    break;
                }
                breakerChange(lane, lane.breaker.failure());
                Duration wait = policy.backoffAfter(attempt);
                Instant next = clock.instant().plus(wait);
                if (attempt < policy.maxAttempts() && next.isBefore(request.deadline())) {
                    listener.retried(lane.kind(), request.verb());
                    LOG.debug("Push {} failed ({}), retry {} in {}", request.describe(), failed.cause(), attempt, wait);
                    scheduler.schedule(() -> attempt(lane, request, attempt + 1, result),
                            wait.toNanos(), TimeUnit.NANOSECONDS);
                } else {
                    LOG.warn("Push {} failed after {} attempt(s): {}", request.describe(), attempt, failed.cause());
                    result.complete(failed);
                }
                break;
        }
    }

    private CompletableFuture<Void> prune(Lane lane, PushRequest request, PushOutcome.Rejected rejected) {
        String selector = request.selector();
        LOG.info("Removing dead token {} of {}: {} said {}", request.target().shortForm(), selector, lane.kind(),
                rejected.reason());
        return store.removeToken(selector, request.target().token())
                .thenCompose(removed -> {
                    if (removed) {
                        listener.tokenRemoved(lane.kind());
                    }
                    return store.find(selector);
                })
                .thenCompose(rec -> {
                    if (rec.isPresent() && rec.get().tokens().isEmpty()) {
                        LOG.info("Instance {} has no push token left; turning it off", selector);
                        return noTokensLeft.apply(selector).thenApply(x -> (Void) null);
                    }
                    return CompletableFuture.completedFuture((Void) null);
                })
                .exceptionally(e -> {
                    LOG.warn("Could not remove dead token {} of {}: {}", request.target().shortForm(), selector,
                            describe(e));
                    return null;
                });
    }

    private void breakerChange(Lane lane, CircuitBreaker.Change change) {
        if (change == CircuitBreaker.Change.OPENED) {
            LOG.warn("Circuit for {} ({}) opened after repeated failures", lane.kind(), lane.route.appIdPrefix());
            listener.circuitChanged(lane.kind(), true);
        } else if (change == CircuitBreaker.Change.CLOSED) {
            LOG.info("Circuit for {} ({}) closed again", lane.kind(), lane.route.appIdPrefix());
            listener.circuitChanged(lane.kind(), false);
        }
    }

    private Optional<Lane> laneFor(DeviceToken token) {
        return lanes.stream().filter(l -> l.route.matches(token.appId()) && canDeliver(l.route, token)).findFirst();
    }

    static boolean canDeliver(PushRoute route, DeviceToken token) {
        switch (route.kind()) {
            case APNS:
                return token.platform() == DeviceToken.Platform.APNS;
            case FCM:
                return token.platform() == DeviceToken.Platform.FCM;
            default:
                return true;
        }
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }

    /** Closes every provider (waiting for them) and the retry scheduler if this dispatcher made it. */
    @Override
    public void close() {
        List<Lane> all = new ArrayList<>(lanes);
        all.addAll(retiring);
        CompletableFuture.allOf(all.stream().map(Lane::closeOnce).toArray(CompletableFuture[]::new)).join();
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    /** Optional parts of a dispatcher; defaults suit production. */
    public static final class Builder {
        private final List<PushRoute> routes;
        private final InstanceStore store;
        private final ProviderFactory factory;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private PushPolicy policy = PushPolicy.DEFAULT;
        private PushListener listener = PushListener.NONE;
        private Function<String, CompletableFuture<?>> noTokensLeft;
        private Duration drainTimeout = Duration.ofSeconds(30);

        private Builder(List<PushRoute> routes, InstanceStore store, ProviderFactory factory) {
            this.routes = List.copyOf(routes);
            this.store = Objects.requireNonNull(store, "store");
            this.factory = Objects.requireNonNull(factory, "factory");
        }

        public Builder clock(Clock c) {
            clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** Where retries wait; by default a private single-thread {@code sipis-push-retry}. */
        public Builder scheduler(ScheduledExecutorService s) {
            scheduler = Objects.requireNonNull(s, "scheduler");
            return this;
        }

        public Builder policy(PushPolicy p) {
            policy = Objects.requireNonNull(p, "policy");
            return this;
        }

        public Builder listener(PushListener l) {
            listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * What to do with an instance whose last token was removed (default: delete it). The
         * SIP module passes "turn Off, unregister, then delete".
         */
        public Builder onNoTokensLeft(Function<String, CompletableFuture<?>> f) {
            noTokensLeft = Objects.requireNonNull(f, "onNoTokensLeft");
            return this;
        }

        /** How long a provider replaced by a reload may finish its pushes in flight before it is closed. */
        public Builder drainTimeout(Duration d) {
            drainTimeout = Objects.requireNonNull(d, "drainTimeout");
            return this;
        }

        public PushDispatcher build() {
            return new PushDispatcher(this);
        }
    }
}
