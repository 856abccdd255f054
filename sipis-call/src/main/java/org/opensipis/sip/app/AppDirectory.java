package org.opensipis.sip.app;

import java.util.Optional;
import org.opensipis.core.instance.InstanceRecord;

/**
 * What the app leg needs to know about instances; the composition root implements it over its
 * instance directory, shard and store. Called on the app leg's owner thread, so both methods must
 * answer from memory and never block.
 */
public interface AppDirectory {

    /** The stored instance for a normalised (upper-case) selector, if this process knows it. */
    Optional<InstanceRecord> find(String selector);

    /**
     * Whether this process owns the instance (its shard). {@code appId} is the app id the request
     * carries ({@code X-Sipis-App-Id}, else the Contact's {@code pn-param}) or the stored one; it
     * may be null when unknown.
     */
    boolean owns(String selector, String appId);
}
