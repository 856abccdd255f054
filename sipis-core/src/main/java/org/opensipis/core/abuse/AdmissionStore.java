package org.opensipis.core.abuse;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.instance.InstanceRecord;

/**
 * The store side of the abuse controls (implemented in sipis-store). Quotas are counted in the
 * shared database inside the storing transaction, serialised per registrar and per user, so
 * several processes sharing the database cannot overshoot them together.
 */
public interface AdmissionStore {

    /** The registrar host a quota counts: the proxy if set, else the domain, lower case. */
    static String registrarKey(InstanceRecord r) {
        return r.account().registrarHost().toLowerCase(java.util.Locale.ROOT);
    }

    /** The SIP user a quota counts: {@code user@domain}, lower case. */
    static String userKey(InstanceRecord r) {
        return r.account().aor().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Stores a registration like {@code InstanceStore.saveRegistration} if the quotas allow it
     * (the instance itself does not count against them, so re-registering always passes), and
     * records its origin: the first origin of an instance is kept, the latest one is updated.
     * Fails exceptionally, with nothing stored, when the database is unreachable.
     */
    CompletableFuture<Admission> admit(InstanceRecord record, Origin origin, Quotas quotas);

    /**
     * The first and the latest origin of each of these selectors that has one (instances
     * registered before origins were kept have none).
     */
    CompletableFuture<Map<String, Origins>> origins(Collection<String> selectors);

    /** The first registration of an instance and the latest one. */
    record Origins(Origin created, Origin latest) {
    }
}
