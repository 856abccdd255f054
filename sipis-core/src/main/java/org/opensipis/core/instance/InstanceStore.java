package org.opensipis.core.instance;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The port through which the HTTP interface and the push module reach the shared database
 * (implemented in sipis-store). Futures complete off the caller's thread once the change is
 * durable, or exceptionally: with {@link StoreBusyException} when too many calls are waiting
 * (the database is up), with {@link StoreUnavailableException} when the database is unreachable
 * (at once while it is known to be down). Callers never block on them from an owner executor.
 */
public interface InstanceStore {

    /** Inserts or replaces what the app registered; any process may store any selector. */
    CompletableFuture<Void> saveRegistration(InstanceRecord record);

    /** The stored registration of a selector, if any. */
    CompletableFuture<Optional<InstanceRecord>> find(String selector);

    /** Deletes an instance and everything stored for it; true if it existed. */
    CompletableFuture<Boolean> delete(String selector);

    /** Removes one device token (a provider said it is dead); true if it existed. */
    CompletableFuture<Boolean> removeToken(String selector, String token);

    /**
     * The app made contact other than through the HTTP registration (an app-leg REGISTER or
     * request): moves {@code last_app_contact} forward to {@code at} (never back), so that its
     * age restarts there also after a restart. Changes nothing else and notifies nobody. The
     * in-memory fakes of tests may ignore it.
     */
    default CompletableFuture<Void> recordAppContact(String selector, java.time.Instant at) {
        return CompletableFuture.completedFuture(null);
    }
}
