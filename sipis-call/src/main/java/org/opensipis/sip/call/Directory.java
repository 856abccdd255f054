package org.opensipis.sip.call;

import java.util.Optional;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.registration.RegistrationEngine;

/**
 * Finds the instance an incoming request is for, from the Request-URI user (the Contact user
 * we registered). Must be O(1) and non-blocking: it is called on I/O threads.
 */
public interface Directory {

    /** The instance behind a Request-URI user, if this process holds it. */
    Optional<Callee> find(String requestUriUser);

    /**
     * One instance as the call code needs it.
     *
     * @param selector the instance key
     * @param record   what the app registered (tokens, account)
     * @param owner    the serial executor that owns the instance; call state lives there too
     */
    record Callee(String selector, InstanceRecord record, Owner owner) {
    }

    /** The registration engine's instances: Contact user {@code s<SELECTOR>}, the engine's owners. */
    static Directory of(RegistrationEngine engine) {
        return user -> engine.selectorOfContactUser(user).flatMap(s -> engine.record(s)
                .map(r -> new Callee(s, r, engine.ownerFor(s))));
    }
}
