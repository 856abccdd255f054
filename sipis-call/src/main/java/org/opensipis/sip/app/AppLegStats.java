package org.opensipis.sip.app;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of the app leg, readable from any thread (for /stats and /metrics). */
public final class AppLegStats {

    final AtomicLong flowsOpened = new AtomicLong();
    final AtomicLong flowsOpen = new AtomicLong();
    final AtomicLong pings = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    /** Malformed input on any app flow: one WARN per 10 s for the whole app leg. */
    final org.opensipis.core.log.RateLimitedLog refusedLog =
            new org.opensipis.core.log.RateLimitedLog(org.slf4j.LoggerFactory.getLogger(FlowHandler.class), 10, java.util.concurrent.TimeUnit.SECONDS);
    final AtomicLong registered = new AtomicLong();
    final AtomicLong unregistered = new AtomicLong();
    final AtomicLong challenges = new AtomicLong();
    final AtomicLong authFailures = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    final AtomicLong unknownSelector = new AtomicLong();
    final AtomicLong notInShard = new AtomicLong();
    final AtomicLong lapsed = new AtomicLong();
    final AtomicLong notImplemented = new AtomicLong();
    final AtomicLong droppedResponses = new AtomicLong();

    public long flowsOpened() {
        return flowsOpened.get();
    }

    public long flowsOpen() {
        return flowsOpen.get();
    }

    /** RFC 5626 CRLF CRLF keep-alives answered. */
    public long pings() {
        return pings.get();
    }

    /** Unframeable or unparseable input; each closed its flow. */
    public long malformed() {
        return malformed.get();
    }

    /** Accepted REGISTERs with Expires &gt; 0 (foreground). */
    public long registered() {
        return registered.get();
    }

    /** Accepted REGISTERs with Expires: 0 (background). */
    public long unregistered() {
        return unregistered.get();
    }

    /** 401 challenges sent. */
    public long challenges() {
        return challenges.get();
    }

    /** Wrong user name or digest response. */
    public long authFailures() {
        return authFailures.get();
    }

    /** REGISTERs refused unchecked because their source failed too often. */
    public long rateLimited() {
        return rateLimited.get();
    }

    public long unknownSelector() {
        return unknownSelector.get();
    }

    public long notInShard() {
        return notInShard.get();
    }

    /** Registrations that lapsed (no refresh within the grace period): SIPIS took over. */
    public long lapsed() {
        return lapsed.get();
    }

    /** Requests answered 501. */
    public long notImplemented() {
        return notImplemented.get();
    }

    /** Responses from the app nobody claimed. */
    public long droppedResponses() {
        return droppedResponses.get();
    }
}
