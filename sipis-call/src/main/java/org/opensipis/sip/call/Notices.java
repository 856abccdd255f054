package org.opensipis.sip.call;

import java.time.Clock;
import java.time.Instant;
import java.util.OptionalInt;
import org.opensipis.core.call.CallLog;
import org.opensipis.core.call.MissedCall;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a call as the user sees it: the missed-call record (and badge) in the
 * {@link CallLog}, and the missed-call or answered-elsewhere push carrying the call id and
 * send time, so a late incoming-call push can be recognised as stale. Called on the owner;
 * store and push futures hop back onto it.
 */
final class Notices {

    private static final Logger LOG = LoggerFactory.getLogger(Notices.class);

    private final Clock clock;
    private final PushService push;
    private final CallLog log;

    Notices(Clock clock, PushService push, CallLog log) {
        this.clock = clock;
        this.push = push;
        this.log = log;
    }

    /** Records a missed call; then, if {@code pushTo} is set, pushes it with the new badge. */
    void recordMissed(String selector, MissedCall mc, CallGroup pushTo) {
        log.recordMissedCall(selector, mc).whenComplete((badge, e) -> {
            if (e != null) {
                LOG.warn("Could not record missed call {} of {}: {}", mc.callId(), selector, e.toString());
            }
            if (pushTo != null) {
                pushTo.owner.execute(() -> push(pushTo, Verb.MISSED_CALL,
                        badge == null ? OptionalInt.empty() : OptionalInt.of(badge)));
            }
        });
    }

    /** Pushes the call's end to every notice token of the instance. */
    void push(CallGroup g, Verb verb, OptionalInt badge) {
        Instant now = clock.instant();
        for (DeviceToken token : Tokens.forNotice(g.record.tokens())) {
            PushRequest.Builder b = PushRequest.builder(g.selector, token, verb, now).callId(g.callId)
                    .pairingId(g.pairingId).callerUri(g.callerUri).deadline(now.plusSeconds(30));
            if (!g.callerName.isEmpty()) {
                b.callerName(g.callerName);
            }
            badge.ifPresent(b::badge);
            push.push(b.build()).whenComplete((o, e) -> {
                if (o == null || !o.accepted()) {
                    LOG.debug("{} push to {} for call {} not accepted: {}", verb, token.shortForm(), g.callId,
                            o != null ? o : e);
                }
            });
        }
    }
}
