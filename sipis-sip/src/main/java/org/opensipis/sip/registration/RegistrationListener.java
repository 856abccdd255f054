package org.opensipis.sip.registration;

import org.opensipis.core.instance.InstanceState;

/**
 * Events out of the engine. Called on the instance's owner thread: return quickly, never block
 * (queue to the store's write-behind).
 */
public interface RegistrationListener {

    /**
     * The instance's state changed, or a refresh succeeded (new expiry and CSeq). The last
     * state per selector is what a restart continues from.
     */
    void stateChanged(InstanceState state);

    /** The instance was removed; its final state (Off) was already reported. */
    default void removed(String selector) {
    }
}
