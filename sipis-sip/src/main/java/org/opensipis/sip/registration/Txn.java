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
    /** Whether the request answered a cached challenge up front (set at grant time). */
    volatile boolean preemptive;
    volatile long sentNanos;
    /** When the permit was granted and the request first sent (clock millis; on the owner). */
    long sentAt;
    /** The throttle's permit arrived on the owner (so finishing must release it). */
    boolean granted;
    volatile byte[] bytes;
    Flow flow;
    Target target;
    /** Our Contact URI in this request. */
    String contact;
    /** An older binding of ours this request removes ({@code expires=0}), or null. */
    String staleContact;
    long retransmitMillis;
    Owner.Cancellable timerE;
    Owner.Cancellable timerF;
    volatile boolean done;

    Txn(Registration reg, String branch, boolean unregister, int authTries) {
        this.reg = reg;
        this.branch = branch;
        this.unregister = unregister;
        this.authTries = authTries;
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
