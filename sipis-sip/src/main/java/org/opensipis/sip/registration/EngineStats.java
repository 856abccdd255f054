package org.opensipis.sip.registration;

import java.util.Map;

/**
 * A point-in-time view of the engine's counters, for /metrics and /stats.
 *
 * @param instances        instances held
 * @param registersSent    REGISTER requests sent (first transmissions)
 * @param retransmissions  UDP retransmissions
 * @param timeouts         transactions that timed out (Timer F)
 * @param transportErrors  sends that failed on the transport (connect, TLS, closed flow)
 * @param responsesByCode  final and provisional responses received, by status code
 * @param throttleQueue    REGISTERs waiting for a throttle permit
 * @param inFlight         REGISTER transactions in flight
 * @param strayResponses   responses that matched no transaction of ours (RFC 3261 17.1.3)
 */
public record EngineStats(int instances, long registersSent, long retransmissions, long timeouts,
                          long transportErrors, Map<Integer, Long> responsesByCode, int throttleQueue,
                          int inFlight, long strayResponses) {
    public EngineStats {
        responsesByCode = Map.copyOf(responsesByCode);
    }

    /** Without the stray count (kept for callers built before it existed). */
    public EngineStats(int instances, long registersSent, long retransmissions, long timeouts, long transportErrors,
                       Map<Integer, Long> responsesByCode, int throttleQueue, int inFlight) {
        this(instances, registersSent, retransmissions, timeouts, transportErrors, responsesByCode, throttleQueue,
                inFlight, 0);
    }
}
