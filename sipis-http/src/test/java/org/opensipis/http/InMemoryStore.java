package org.opensipis.http;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.abuse.Admission;
import org.opensipis.core.abuse.AdmissionStore;
import org.opensipis.core.abuse.Origin;
import org.opensipis.core.abuse.Quotas;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;

/**
 * Hand-written in-memory {@link InstanceStore} and {@link AdmissionStore} (quotas counted over
 * the stored records, under one lock as the database serialises them); {@link #failing}
 * simulates a database outage.
 */
final class InMemoryStore implements InstanceStore, AdmissionStore {

    final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();
    final Map<String, Origins> origins = new ConcurrentHashMap<>();
    volatile boolean failing;
    /** Simulates a saturated store (the database is up). */
    volatile boolean busy;

    @Override
    public synchronized CompletableFuture<Admission> admit(InstanceRecord record, Origin origin, Quotas quotas) {
        if (busy) {
            return CompletableFuture.failedFuture(new org.opensipis.core.instance.StoreBusyException("queue full (test)"));
        }
        if (failing) {
            return CompletableFuture.failedFuture(new org.opensipis.core.instance.StoreUnavailableException("database down (test)"));
        }
        String registrar = AdmissionStore.registrarKey(record);
        String user = AdmissionStore.userKey(record);
        long sameRegistrar = records.values().stream().filter(r -> !r.selector().equals(record.selector())
                && AdmissionStore.registrarKey(r).equals(registrar)).count();
        long sameUser = records.values().stream().filter(r -> !r.selector().equals(record.selector())
                && AdmissionStore.userKey(r).equals(user)).count();
        if (quotas.perRegistrar() > 0 && sameRegistrar >= quotas.perRegistrar()) {
            return CompletableFuture.completedFuture(Admission.refused(Admission.Outcome.REGISTRAR_QUOTA, registrar,
                    quotas.perRegistrar()));
        }
        if (quotas.perUser() > 0 && sameUser >= quotas.perUser()) {
            return CompletableFuture.completedFuture(Admission.refused(Admission.Outcome.USER_QUOTA, user,
                    quotas.perUser()));
        }
        boolean created = records.put(record.selector(), record) == null;
        Origins before = origins.get(record.selector());
        origins.put(record.selector(), new Origins(created || before == null ? origin : before.created(), origin));
        return CompletableFuture.completedFuture(Admission.stored(created));
    }

    @Override
    public CompletableFuture<Map<String, Origins>> origins(Collection<String> selectors) {
        if (failing) {
            return CompletableFuture.failedFuture(new IllegalStateException("database down (test)"));
        }
        Map<String, Origins> out = new HashMap<>();
        for (String s : selectors) {
            Origins o = origins.get(s);
            if (o != null && records.containsKey(s)) {
                out.put(s, o);
            }
        }
        return CompletableFuture.completedFuture(out);
    }

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
