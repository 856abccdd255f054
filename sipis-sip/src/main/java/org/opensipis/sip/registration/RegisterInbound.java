package org.opensipis.sip.registration;

import java.util.Map;
import java.util.function.BooleanSupplier;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.transport.Flow;

/**
 * What the endpoint hands the engine, on the I/O threads: responses to our REGISTERs go to their
 * instance's owner (no hop when the owner is this I/O loop), closed flows to the instances that
 * used them.
 */
final class RegisterInbound {

    private final Map<String, Txn> txns;
    private final Map<String, Registration> regs;
    private final Counters counters;
    private final BooleanSupplier closing;
    private final InstanceMachine machine;

    RegisterInbound(Map<String, Txn> txns, Map<String, Registration> regs, Counters counters, BooleanSupplier closing,
                    InstanceMachine machine) {
        this.txns = txns;
        this.regs = regs;
        this.counters = counters;
        this.closing = closing;
        this.machine = machine;
    }

    /** RFC 3261 17.1.3: a response belongs to our REGISTER when the branch and the CSeq method match. */
    boolean onResponse(SipMessage m, Flow flow) {
        Txn txn = txns.get(m.topBranch());
        if (txn == null || !"REGISTER".equals(m.cseqMethod())) {
            return false;
        }
        counters.responses.incrementAndGet(m.status());
        Owner o = txn.reg.owner;
        if (o.inOwner()) {
            machine.onResponse(txn, m); // owners on the I/O loop: no hop
        } else {
            o.execute(() -> machine.onResponse(txn, m));
        }
        return true;
    }

    void onFlowClosed(Flow flow) {
        if (closing.getAsBoolean()) {
            return;
        }
        for (Registration r : regs.values()) {
            if (r.flow == flow) {
                r.owner.execute(() -> machine.flowClosed(r, flow));
            }
        }
    }
}
