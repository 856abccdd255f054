package org.opensipis.sip.registration;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.sip.dns.Rfc3263Resolver;
import org.opensipis.sip.dns.Target;

/**
 * Resolved registrar targets per (host, port, transport), cached for five minutes and shared by
 * every instance of that registrar. Lookups run on the DNS executor; thread-safe.
 */
final class Targets {

    static final long TTL_MILLIS = 300_000;
    private final Rfc3263Resolver resolver;
    private final Executor executor;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    Targets(Rfc3263Resolver resolver, Executor executor, Clock clock) {
        this.resolver = resolver;
        this.executor = executor;
        this.clock = clock;
    }

    CompletableFuture<List<Target>> resolve(SipAccount a) {
        String key = a.registrarHost() + "|" + a.port() + "|" + a.transport();
        long now = clock.millis();
        Entry e = cache.get(key);
        if (e != null && (e.until > now || !e.future.isDone())) {
            return e.future;
        }
        CompletableFuture<List<Target>> f = CompletableFuture.supplyAsync(() -> {
            List<Target> t = resolver.resolve(a.registrarHost(), a.port(), a.transport());
            if (t.isEmpty()) {
                throw new IllegalStateException("DNS: no address for registrar " + a.registrarHost()
                        + " (" + a.transport() + ")");
            }
            return List.copyOf(t);
        }, executor);
        Entry fresh = new Entry(f, now + TTL_MILLIS);
        cache.put(key, fresh);
        f.whenComplete((v, err) -> {
            if (err != null) {
                cache.remove(key, fresh);
            }
        });
        return f;
    }

    private static final class Entry {
        final CompletableFuture<List<Target>> future;
        final long until;

        Entry(CompletableFuture<List<Target>> future, long until) {
            this.future = future;
            this.until = until;
        }
    }
}
