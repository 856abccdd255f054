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
    int pushesOutstanding;
    boolean pushed;
    boolean pushAccepted;
    boolean progress;
    boolean takenOver;
    boolean ended;
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
}
