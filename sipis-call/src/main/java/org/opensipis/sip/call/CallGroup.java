package org.opensipis.sip.call;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.sip.owner.Owner;

/**
 * One call to one instance: every fork (INVITE transaction) with the same Call-ID shares the
 * pushes, the pairing id and the T1/T2 timer. Touched only on the instance's owner.
 */
final class CallGroup {

    final String key;
    final String selector;
    final String callId;
    final String pairingId;
    final InstanceRecord record;
    final Owner owner;
    final Instant arrived;
    final String callerName;
    final String callerUri;
    final List<InviteTxn> forks = new ArrayList<>(1);
    /**
     * Where the call is: RINGING (pushed, T1 running: waiting for the device), PROGRESS (the
     * device made progress, T2 running), TAKEN_OVER (the app leg answers it), ENDED (final
     * responses sent, forgotten). Only moves forward.
     */
    enum Phase { RINGING, PROGRESS, TAKEN_OVER, ENDED }

    /** The incoming-call pushes: none sent yet, sent, accepted by a push service. */
    enum Push { NONE, SENT, ACCEPTED }

    int pushesOutstanding;
    Phase phase = Phase.RINGING;
    Push push = Push.NONE;
    /** T1 until the device makes progress, then T2. */
    Owner.Cancellable timer;

    CallGroup(String key, String selector, String callId, String pairingId, InstanceRecord record, Owner owner,
              Instant arrived, String callerName, String callerUri) {
        this.key = key;
        this.selector = selector;
        this.callId = callId;
        this.pairingId = pairingId;
        this.record = record;
        this.owner = owner;
        this.arrived = arrived;
        this.callerName = callerName;
        this.callerUri = callerUri;
    }

    /** Still waiting for the device or the app: neither taken over nor ended. */
    boolean waiting() {
        return phase == Phase.RINGING || phase == Phase.PROGRESS;
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Forks still waiting for a final response from us. */
    List<InviteTxn> live() {
        List<InviteTxn> out = new ArrayList<>(forks.size());
        for (InviteTxn t : forks) {
            if (t.state == InviteTxn.State.PROCEEDING) {
                out.add(t);
            }
        }
        return out;
    }

    static String callerUri(org.opensipis.sip.message.SipMessage m) {
        return org.opensipis.sip.message.HeaderParams.uri(m.header("from").orElse(""));
    }

    static String callerName(org.opensipis.sip.message.SipMessage m) {
        String from = m.header("from").orElse("");
        int lt = from.indexOf('<');
        return lt <= 0 ? "" : org.opensipis.sip.message.HeaderParams.unquote(from.substring(0, lt).trim());
    }
}
