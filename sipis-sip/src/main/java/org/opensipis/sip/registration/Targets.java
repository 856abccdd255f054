package org.opensipis.sip.registration;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.opensipis.core.abuse.TargetPolicy;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.sip.dns.DnsLookup;
import org.opensipis.sip.dns.Rfc3263Resolver;
import org.opensipis.sip.dns.Target;

/**
 * Resolved registrar targets per (host, port, transport), shared by every instance of that
 * registrar and cached for the lowest TTL of the DNS records they came from, bounded to
 * {@link #MIN_TTL_SECONDS}..{@link #MAX_TTL_SECONDS}; {@link #DEFAULT_TTL_SECONDS} when the lookup
 * cannot tell, the maximum for an IP literal. A failed resolution (no address) is cached for
 * {@link #NEGATIVE_TTL_SECONDS}, so retrying instances do not each query again. A lookup in flight
 * is shared too. Every resolved address is checked against the {@link TargetPolicy}: if any is
 * refused the whole resolution fails with {@link RefusedTarget} (cached like a result), so no packet
 * ever goes to a refused address, even when a name later resolves inward. Lookups run on the DNS
 * executor; thread-safe.
 */
final class Targets {

    static final long MIN_TTL_SECONDS = 30;
    static final long MAX_TTL_SECONDS = 3600;
    static final long DEFAULT_TTL_SECONDS = 300;
    static final long NEGATIVE_TTL_SECONDS = 30;

    private final Rfc3263Resolver resolver;
    private final Executor executor;
    private final Clock clock;
    private final TargetPolicy policy;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    Targets(Rfc3263Resolver resolver, Executor executor, Clock clock, TargetPolicy policy) {
        this.resolver = resolver;
        this.executor = executor;
        this.clock = clock;
        this.policy = policy;
    }

    /** A registrar target the {@code <RegistrarTargets>} policy refuses; the message names the rule. */
    static final class RefusedTarget extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        RefusedTarget(String message) {
            super(message);
        }
    }

    CompletableFuture<List<Target>> resolve(SipAccount a) {
        String key = a.registrarHost() + "|" + a.port() + "|" + a.transport();
        Entry e = cache.get(key);
        if (e != null && clock.millis() < e.until) {
            return e.future;
        }
        Entry fresh = new Entry();
        // until is written before the future completes, so whoever sees it done sees its expiry
        fresh.future = CompletableFuture.supplyAsync(() -> {
            long ttl = NEGATIVE_TTL_SECONDS;
            try {
                Rfc3263Resolver.Resolution res = resolver.resolveWithTtl(a.registrarHost(), a.port(), a.transport());
                if (res.targets().isEmpty()) {
                    throw new IllegalStateException("DNS: no address for registrar " + a.registrarHost()
                            + " (" + a.transport() + ")");
                }
                ttl = cacheSeconds(res.ttlSeconds());
                java.util.Optional<String> refused = policy.checkAll(a.registrarHost(),
                        res.targets().stream().map(Target::address).toList());
                if (refused.isPresent()) {
                    throw new RefusedTarget(refused.get());
                }
                return res.targets();
            } finally {
                fresh.until = clock.millis() + ttl * 1000;
            }
        }, executor);
        cache.put(key, fresh);
        return fresh.future;
    }

    /** How long a resolution with this chain TTL is kept. */
    static long cacheSeconds(long ttlSeconds) {
        if (ttlSeconds == DnsLookup.UNKNOWN_TTL) {
            return DEFAULT_TTL_SECONDS;
        }
        return Math.max(MIN_TTL_SECONDS, Math.min(MAX_TTL_SECONDS, ttlSeconds));
    }

    private static final class Entry {
        CompletableFuture<List<Target>> future;
        /** Expiry (clock millis); in flight until the lookup ends. */
        volatile long until = Long.MAX_VALUE;
    }
}
