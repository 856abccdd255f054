package org.opensipis.sip.registration;

import org.opensipis.sip.dns.Target;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.transport.Flow;

/** One REGISTER client transaction in flight (RFC 3261 17.1.2). Owned by the instance's owner. */
final class Txn {

    final Registration reg;
    final String branch;
    final boolean unregister;
    final int authTries;
    final boolean preemptive;
    final long sentNanos;
    byte[] bytes;
    Flow flow;
    Target target;
    long retransmitMillis;
    Owner.Cancellable timerE;
    Owner.Cancellable timerF;
    boolean done;

    Txn(Registration reg, String branch, boolean unregister, int authTries, boolean preemptive, long sentNanos) {
        this.reg = reg;
        this.branch = branch;
        this.unregister = unregister;
        this.authTries = authTries;
        this.preemptive = preemptive;
        this.sentNanos = sentNanos;
    }

    void cancelTimers() {
        if (timerE != null) {
            timerE.cancel();
            timerE = null;
        }
        if (timerF != null) {
            timerF.cancel();
            timerF = null;
        }
    }
}
