package org.opensipis.sip.registration;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.transport.Flow;
import org.opensipis.sip.transport.SipTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where what arrives on the engine's sockets goes, on the I/O threads: responses to our REGISTERs
 * to their instance's owner (no hop when the owner is this I/O loop), other responses and every
 * request to the handlers the composition root set (the call relay, incoming calls), closed flows
 * to the instances that used them.
 */
final class Dispatcher implements SipTransport.Receiver {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Map<String, Txn> txns;
    private final Map<String, Registration> regs;
    private final Counters counters;
    private final BooleanSupplier closing;
    private volatile InstanceMachine machine;
    private volatile BiConsumer<SipMessage, Flow> requestHandler;
    private volatile BiPredicate<SipMessage, Flow> responseHandler;

    Dispatcher(Map<String, Txn> txns, Map<String, Registration> regs, Counters counters, BooleanSupplier closing) {
        this.txns = txns;
        this.regs = regs;
        this.counters = counters;
        this.closing = closing;
    }

    /** Set once, right after the transport this dispatcher serves exists. */
    void machine(InstanceMachine m) {
        this.machine = m;
    }

    void requestHandler(BiConsumer<SipMessage, Flow> handler) {
        this.requestHandler = handler;
    }

    void responseHandler(BiPredicate<SipMessage, Flow> handler) {
        this.responseHandler = handler;
    }

    @Override
    public void onMessage(SipMessage m, Flow flow) {
        if (!m.isResponse()) {
            BiConsumer<SipMessage, Flow> handler = requestHandler;
            if (handler != null) {
                handler.accept(m, flow);
            } else {
                LOG.debug("Ignoring {} from {} (no incoming-request handler set)", m, flow.remote());
            }
            return;
        }
        // RFC 3261 17.1.3: a response belongs to our REGISTER when the branch and the CSeq method match
        Txn txn = txns.get(m.topBranch());
        if (txn == null || !"REGISTER".equals(m.cseqMethod())) {
            BiPredicate<SipMessage, Flow> handler = responseHandler;
            if (handler == null || !handler.test(m, flow)) {
                counters.strayResponses.increment();
                LOG.debug("Stray response {} from {}: matches no transaction", m, flow.remote());
            }
            return;
        }
        counters.responses.incrementAndGet(m.status());
        InstanceMachine im = machine;
        Owner o = txn.reg.owner;
        if (o.inOwner()) {
            im.onResponse(txn, m); // owners on the I/O loop: no hop
        } else {
            o.execute(() -> im.onResponse(txn, m));
        }
    }

    @Override
    public void onFlowClosed(Flow flow) {
        if (closing.getAsBoolean()) {
            return;
        }
        InstanceMachine im = machine;
        for (Registration r : regs.values()) {
            if (r.flow == flow) {
                r.owner.execute(() -> im.flowClosed(r, flow));
            }
        }
    }
}
