package org.opensipis.sip.call;

import java.util.Map;

/**
 * Totals since start, for /stats and /metrics.
 *
 * @param invites      new INVITE transactions (retransmissions not counted)
 * @param accepted     calls taken in and pushed
 * @param missed       calls that ended unanswered (cancelled, T1, T2, push failed)
 * @param answered     calls the app leg answered
 * @param answeredElsewhere calls cancelled with {@code Reason: SIP;cause=200}
 * @param pending      calls waiting for a device now
 * @param outcomes     ended calls and refused requests by reason
 * @param messages     MESSAGE outcomes by kind
 */
public record IncomingStats(long invites, long accepted, long missed, long answered, long answeredElsewhere,
                            long pending, Map<String, Long> outcomes, Map<String, Long> messages) {
    public IncomingStats {
        outcomes = Map.copyOf(outcomes);
        messages = Map.copyOf(messages);
    }
}
