package org.opensipis.sip.app;

import java.util.Optional;
import org.opensipis.sip.message.SipMessage;

/**
 * What the app leg reports. Every method runs on the app leg's owner thread and must not block
 * (hop onto your own executor for real work). {@link #foreground} and {@link #background} are
 * called for every accepted REGISTER (refreshes included), not only on a change, so that a root
 * whose own idea of the state drifted (e.g. after a restart) is corrected; they must be idempotent.
 */
public interface AppPresence {

    /**
     * The app registered (or refreshed) with Expires &gt; 0: it is in the foreground and registers
     * at its provider itself, so SIPIS should be Idle ({@code RegistrationEngine.setIdle}).
     */
    void foreground(String selector);

    /**
     * The app unregistered (Expires: 0) or stopped refreshing for the grace period past its
     * expiry: SIPIS should take the upstream registration over ({@code RegistrationEngine.register}).
     */
    void background(String selector);

    /**
     * The fast channel (docs/app-protocol.md section 4.2): an authenticated REGISTER arrived, with
     * the {@code X-Sipis-Pairing-Id} it carried if any. Called after the binding is updated, so
     * {@link AppLegServer#flowOf} already returns the flow the REGISTER came on.
     */
    void progress(String selector, Optional<String> pairingId);

    /**
     * The app's REGISTER carried an RFC 8599 push token in its Contact ({@code pn-provider},
     * {@code pn-prid}, {@code pn-param}): the device's token of that platform and kind is now
     * {@code token}. Called for every accepted REGISTER that carries one (refreshes included), after
     * {@link #foreground}; compare with the stored token before writing.
     */
    default void pushToken(String selector, org.opensipis.core.instance.DeviceToken token) {
    }

    /**
     * A message on a flow that has authenticated as {@code selector}: a request other than REGISTER
     * (in-dialog requests of a relayed call), or any response (to a request SIPIS sent to the app).
     * Return true if handled; for an unhandled request the app leg answers {@code 501 Not
     * Implemented}, an unhandled response is dropped (and counted).
     */
    default boolean message(String selector, AppFlow flow, SipMessage message) {
        return false;
    }
}
