package org.opensipis.http;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;

/** Hand-written in-memory {@link InstanceStore}; {@link #failing} simulates a database outage. */
final class InMemoryStore implements InstanceStore {

    final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();
    volatile boolean failing;
    /** Simulates a saturated store (the database is up). */
    volatile boolean busy;

    @Override
    public CompletableFuture<Void> saveRegistration(InstanceRecord record) {
        if (busy) {
            return CompletableFuture.failedFuture(new org.opensipis.core.instance.StoreBusyException("queue full (test)"));
        }
        if (failing) {
            return CompletableFuture.failedFuture(new org.opensipis.core.instance.StoreUnavailableException("database down (test)"));
        }
        records.put(record.selector(), record);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Optional<InstanceRecord>> find(String selector) {
        if (failing) {
            return CompletableFuture.failedFuture(new org.opensipis.core.instance.StoreUnavailableException("database down (test)"));
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(records.get(selector)));
    }

    @Override
    public CompletableFuture<Boolean> delete(String selector) {
        if (failing) {
            return CompletableFuture.failedFuture(new org.opensipis.core.instance.StoreUnavailableException("database down (test)"));
        }
        return CompletableFuture.completedFuture(records.remove(selector) != null);
    }

    @Override
    public CompletableFuture<Boolean> removeToken(String selector, String token) {
        return CompletableFuture.completedFuture(false);
    }
}
