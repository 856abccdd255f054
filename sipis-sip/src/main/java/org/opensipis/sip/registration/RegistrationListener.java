package org.opensipis.sip.registration;

import org.opensipis.core.instance.InstanceState;

/**
 * Events out of the engine. Called on the instance's owner thread: return quickly, never block
 * (queue to the store's write-behind).
 */
public interface RegistrationListener {

    /**
     * A refresh that changes nothing but the expiry and the CSeq (same state, reason and Contact) is
     * told only when its CSeq reaches another multiple of this step. Telling every refresh cost the
     * engine's thread a state record and the listener's lookups per refresh, for nothing it acts on;
     * a restart continues far enough past the CSeq last told ({@code RegistrationEngine.RESTART_CSEQ_GAP}).
     */
    long REFRESH_CSEQ_STEP = 100;

    /**
     * The instance's state, reason or binding changed, or a refresh's CSeq reached another multiple
     * of {@link #REFRESH_CSEQ_STEP}. The last state per selector is what a restart continues from;
     * the current one of every instance is in the engine's snapshot.
     */
    void stateChanged(InstanceState state);

    /** The instance was removed; its final state (Off) was already reported. */
    default void removed(String selector) {
    }
}
