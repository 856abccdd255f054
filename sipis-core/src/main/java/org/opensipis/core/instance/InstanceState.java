package org.opensipis.core.instance;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The runtime state of one instance on one server, written behind to the database so that a
 * restarted process continues where it stopped (same Call-ID, next CSeq).
 *
 * @param selector        the instance
 * @param server          the {@code Server[Name]} that owns it
 * @param state           registration state
 * @param reason          why (e.g. "403 Forbidden", "timeout"), empty when all is well
 * @param registeredUntil when the current binding expires, if registered
 * @param contact         the Contact we registered, if any
 * @param callId          the REGISTER Call-ID, stable for the instance's life
 * @param cseq            the last CSeq used
 * @param changedAt       when this state was reached
 */
public record InstanceState(String selector, String server, RegistrationState state, String reason,
                            Optional<Instant> registeredUntil, Optional<String> contact, String callId,
                            long cseq, Instant changedAt) {

    public InstanceState {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(registeredUntil, "registeredUntil");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(changedAt, "changedAt");
    }
}
