package org.opensipis.sip.call;

/**
 * Outcome events for /metrics, next to the totals of {@link IncomingRequests#stats()}. Every
 * method has a no-op default. Called on owner and I/O threads: must be thread-safe and must not
 * block.
 */
public interface IncomingListener {

    IncomingListener NONE = new IncomingListener() {
    };

    /** An INVITE was taken in: the instance's devices are being pushed. */
    default void callAccepted(String selector) {
    }

    /**
     * A call ended; {@code outcome} is one of the lower-case reasons listed in
     * docs/incoming-calls.md (answered, cancelled, answered-elsewhere, no-response-from-device, ...).
     */
    default void callEnded(String selector, String outcome) {
    }

    /** A request was refused before any call state existed (unknown-instance, overload, ...). */
    default void rejected(String reason) {
    }

    /** A MESSAGE was handled: stored-and-pushed, stored-not-pushed, dropped, rejected or failed. */
    default void textMessage(String selector, String outcome) {
    }
}
