package org.opensipis.sip.relay;

import java.util.Optional;
import org.opensipis.sip.app.AppBinding;
import org.opensipis.sip.call.IncomingRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app signals progress (an accepted REGISTER): Device-Making-Progress for the named call, or
 * for the oldest waiting call of the selector, then the call is taken over from the incoming-call
 * side and the relay INVITEs the app. Joins the two halves, both built before it: the incoming
 * side (which hands in-dialog requests to the relay) and the relay.
 */
public final class CallProgress {

    /** The relay's logger: this was the relay's own step. */
    private static final Logger LOG = LoggerFactory.getLogger(CallRelay.class);

    private final IncomingRequests incoming;
    private final CallRelay relay;

    public CallProgress(IncomingRequests incoming, CallRelay relay) {
        this.incoming = incoming;
        this.relay = relay;
    }

    /**
     * A call another process handed over waits here (docs/design-rebalance.md): if the app is
     * connected already, relay it at once; otherwise its REGISTER will. Any thread.
     */
    public void waiting(String selector, String pairingId) {
        if (relay.openBinding(selector).isPresent()) {
            progress(selector, Optional.of(pairingId));
        }
    }

    /** Any thread. Without an open app flow the call keeps waiting. */
    public void progress(String selector, Optional<String> pairingId) {
        Optional<String> p = pairingId.or(() -> incoming.pendingPairingIds(selector).stream().findFirst());
        if (p.isEmpty()) {
            return;
        }
        String id = p.get();
        incoming.deviceMakingProgress(selector, id).thenAccept(first -> {
            Optional<AppBinding> b = relay.openBinding(selector);
            if (b.isEmpty()) {
                LOG.debug("Progress for {} ({}) but no open app flow: the call keeps waiting", selector, id);
                return;
            }
            incoming.takeOver(selector, id).thenAccept(call -> call.ifPresent(c -> relay.startOnOwner(selector, c, b.get())));
        });
    }
}
