package org.opensipis.http.abuse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.opensipis.core.abuse.Admission;
import org.opensipis.core.abuse.Origin;
import org.opensipis.core.abuse.TargetPolicy;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.AbuseSettings;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abuse controls in front of the registration store: the per-source rate limit on
 * {@code /sipis/register} and its verbs ({@code 429} + {@code Retry-After}), the registrar target
 * check ({@code 400} naming the rule), and the quota-checked, audited store. Counted in
 * {@code /metrics}. Thread-safe.
 */
public final class RegistrationGate {

    public static final String RATE_LIMITED = "sipis.http.rate.limited";
    public static final String UNATTRIBUTED = "sipis.http.unattributed.requests";
    public static final String REFUSED = "sipis.http.register.refused";
    public static final String SOURCES = "sipis.http.rate.limit.sources";

    /** How long the registration waits for the registrar's A/AAAA answer before leaving the check to the engine. */
    static final long DNS_WAIT_MILLIS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationGate.class);

    private final AbuseControls controls;
    private final AbuseSettings.RegisterLimits limits;
    private final TargetPolicy policy;
    private final Optional<SourceLimiter> limiter;
    private final Executor dnsExecutor;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Counter rateLimited;
    private final Counter unattributed;
    private final AtomicBoolean warnedUnattributed = new AtomicBoolean();

    /**
     * @param dnsExecutor where A/AAAA lookups run (bounded; a rejected lookup leaves the check to the engine)
     * @param clock       drives the per-source token buckets and stamps origins
     */
    public RegistrationGate(AbuseControls controls, Executor dnsExecutor, Clock clock, MeterRegistry meters) {
        this.controls = controls;
        this.limits = controls.settings().limits();
        this.policy = controls.settings().targets();
        this.dnsExecutor = dnsExecutor;
        this.clock = clock;
        this.meters = meters;
        this.limiter = limits.perSourceRate() > 0
                ? Optional.of(new SourceLimiter(limits.perSourceRate(), limits.perSourceBurst(), limits.maxSources(), clock))
                : Optional.empty();
        this.rateLimited = Counter.builder(RATE_LIMITED)
                .description("Requests to /sipis/register and its verbs refused with 429 by the per-source limit")
                .register(meters);
        this.unattributed = Counter.builder(UNATTRIBUTED)
                .description("Requests from a trusted proxy without a usable X-Forwarded-For (not limited per source)")
                .register(meters);
        limiter.ifPresent(l -> Gauge.builder(SOURCES, l, SourceLimiter::size)
                .description("Sources the per-source limit tracks").register(meters));
        for (String reason : List.of("target", "quota_registrar", "quota_user")) {
            refusedCounter(reason);
        }
    }

    private Counter refusedCounter(String reason) {
        return Counter.builder(REFUSED).description("Registrations refused by the abuse controls, by reason")
                .tag("reason", reason).register(meters);
    }

    /** {@code endpoint} behind the per-source rate limit. */
    public Endpoint limited(Endpoint endpoint) {
        if (limiter.isEmpty()) {
            return endpoint;
        }
        return call -> {
            ClientAddress client = ClientAddress.of(call, limits.trustedProxies());
            if (!client.known()) {
                unattributed.increment();
                if (warnedUnattributed.compareAndSet(false, true)) {
                    LOG.warn("Requests from trusted proxy {} carry no X-Forwarded-For, so the per-source limit cannot "
                            + "apply to them; add \"proxy_set_header X-Forwarded-For $remote_addr;\" to the "
                            + "nginx server block (or remove the proxy from RegisterLimits[TrustedProxies])",
                            client.describe());
                }
                return endpoint.handle(call);
            }
            long retry = limiter.get().acquire(client.limitKey(limits.ipv6SourcePrefix()));
            if (retry > 0) {
                rateLimited.increment();
                LOG.debug("429 for {} {}: per-source limit", client.describe(), call.path());
                return CompletableFuture.completedFuture(HttpReply.error(429, "too many requests from "
                        + client.address().getHostAddress() + "; the limit is " + limits.perSourceRate()
                        + " per second (RegisterLimits[PerSourceRate], burst PerSourceBurst=" + limits.perSourceBurst()
                        + "); retry after " + retry + " s").withHeader("Retry-After", Long.toString(retry)));
            }
            return endpoint.handle(call);
        };
    }

    /**
     * Checks the account's registrar against {@code <RegistrarTargets>}: the name rules and the
     * port, then (for a name) every A/AAAA address. The registration engine checks again on
     * every address it resolves, SRV targets included, before it sends anything.
     *
     * @return a {@code 400} naming the rule, or empty when the registrar may be used
     */
    public CompletionStage<Optional<HttpReply>> checkTarget(InstanceRecord r) {
        SipAccount a = r.account();
        String host = a.registrarHost();
        Optional<String> refused = policy.checkName(host, a.port());
        if (refused.isPresent() || org.opensipis.core.abuse.Cidr.literal(host).isPresent()) {
            return CompletableFuture.completedFuture(refused.map(why -> refusedTarget(r, why)));
        }
        CompletableFuture<List<InetAddress>> lookup;
        try {
            lookup = CompletableFuture.supplyAsync(() -> controls.resolver().addresses(host), dnsExecutor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Optional.empty()); // busy: the engine checks before sending
        }
        return lookup.completeOnTimeout(List.of(), DNS_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .exceptionally(e -> List.of())
                .thenApply(addresses -> policy.checkAll(host, addresses.stream()
                        .map(ip -> new InetSocketAddress(ip, a.port())).toList()).map(why -> refusedTarget(r, why)));
    }

    private HttpReply refusedTarget(InstanceRecord r, String why) {
        refusedCounter("target").increment();
        LOG.info("Registration of {} ({}) refused: {}", r.selector(), r.account().aor(), why);
        return HttpReply.error(400, "account " + field(r) + " is not allowed: " + why);
    }

    private static String field(InstanceRecord r) {
        return r.account().proxy().isPresent() ? "proxy" : "domain";
    }

    /**
     * Stores the registration within the quotas and records where it came from.
     *
     * @return the store's answer; exceptionally when the database is unreachable
     */
    public CompletableFuture<Admission> admit(HttpCall call, InstanceRecord r) {
        ClientAddress client = ClientAddress.of(call, limits.trustedProxies());
        Origin origin = new Origin(client.address().getHostAddress(), client.via().map(InetAddress::getHostAddress),
                clock.instant(), r.appId());
        return controls.admissions().admit(r, origin, limits.quotas());
    }

    /** The reply to an admission refused by a quota: {@code 403} naming the setting. */
    public HttpReply quotaRefused(InstanceRecord r, Admission a) {
        refusedCounter(a.outcome() == Admission.Outcome.USER_QUOTA ? "quota_user" : "quota_registrar").increment();
        LOG.info("Registration of {} ({}) refused: {}", r.selector(), r.account().aor(), a.message());
        return HttpReply.error(403, a.message());
    }
}
