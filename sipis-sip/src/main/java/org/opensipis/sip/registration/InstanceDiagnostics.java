package org.opensipis.sip.registration;

import java.time.Instant;
import java.util.Optional;
import org.opensipis.core.instance.RegistrationState;

/**
 * What the registration engine knows about one instance right now, read on its owner (for the
 * control API; no secrets).
 *
 * @param selector        the instance
 * @param state           registration state
 * @param reason          why it is in that state
 * @param lastResponse    the last final REGISTER response ({@code "200 OK"}, {@code "timeout"}), empty if none yet
 * @param lastResponseAt  when it came
 * @param nextAttemptAt   when the next REGISTER (refresh or retry) is due, if one is scheduled
 * @param registeredUntil when the binding expires, if there is one
 * @param inFlight        a REGISTER is being resolved, throttled or is in flight
 * @param failures        failures in a row of the current kind
 * @param disabled        an administrator disabled it
 * @param callId          the REGISTER Call-ID
 * @param cseq            the last CSeq
 * @param flow            the flow REGISTERs use ({@code "UDP 127.0.0.1:5060"}), empty if none
 */
public record InstanceDiagnostics(String selector, RegistrationState state, String reason, String lastResponse,
                                  Optional<Instant> lastResponseAt, Optional<Instant> nextAttemptAt,
                                  Optional<Instant> registeredUntil, boolean inFlight, int failures, boolean disabled,
                                  String callId, long cseq, String flow) {
}
