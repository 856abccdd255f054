package org.opensipis.core.call;

import java.time.Instant;
import java.util.Objects;

/**
 * A call that reached an instance and was not answered through SIPIS (a row of the {@code calls} table; Acrobits calls it {@code sipcalls}).
 *
 * @param callId     the SIP Call-ID of the INVITE
 * @param callerName the caller's display name (may be empty)
 * @param callerUri  the caller's URI (From)
 * @param at         when the INVITE arrived
 * @param ended      when the call ended
 * @param reason     why it ended, e.g. {@code cancelled}, {@code no-response-from-device}
 */
public record MissedCall(String callId, String callerName, String callerUri, Instant at, Instant ended,
                         String reason) {
    public MissedCall {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(callerName, "callerName");
        Objects.requireNonNull(callerUri, "callerUri");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(reason, "reason");
    }
}
