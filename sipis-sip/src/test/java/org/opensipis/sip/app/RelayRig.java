package org.opensipis.sip.app;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.relay.CallRelay;
import org.opensipis.sip.testing.Stack;

/**
 * An app leg and a call relay wired to a {@link Stack} the way the composition root wires them:
 * the app leg's progress and in-call messages go to the relay, and responses on the provider
 * side that match no REGISTER go to the relay too. Foreground/background are ignored here (the
 * hand-over is tested in sipis-server).
 */
final class RelayRig implements AutoCloseable {

    final ThreadOwner appOwner = new ThreadOwner("sipis-test-app");
    final ThreadOwner relayOwner = new ThreadOwner("sipis-test-relay");
    final AppLegServer appLeg;
    final CallRelay relay;
    /** Every progress signal, as {@code "<selector> <pairing id or ->"}. */
    final Queue<String> progress = new ConcurrentLinkedQueue<>();

    RelayRig(Stack stack, AppDirectory directory) throws IOException {
        RelayPresence presence = new RelayPresence(progress);
        appLeg = AppLegServer.start(AppLegHarness.config(0), directory, presence, appOwner, Clock.systemUTC());
        relay = new CallRelay(stack.incoming, appLeg::bindingOf, relayOwner, new SecureRandom(), AppLegHarness.REALM);
        presence.relay = relay;
        stack.engine.setResponseHandler(relay::upstreamResponse);
    }

    @Override
    public void close() throws IOException {
        appLeg.close();
        relayOwner.close();
        appOwner.close();
    }

    /** App presence that hands progress and in-call messages to a relay set after construction. */
    static final class RelayPresence implements AppPresence {
        private final Queue<String> progress;
        volatile CallRelay relay;

        RelayPresence(Queue<String> progress) {
            this.progress = progress;
        }

        @Override
        public void foreground(String selector) {
        }

        @Override
        public void background(String selector) {
        }

        @Override
        public void progress(String selector, Optional<String> pairingId) {
            progress.add(selector + " " + pairingId.orElse("-"));
            relay.progress(selector, pairingId);
        }

        @Override
        public boolean message(String selector, AppFlow flow, SipMessage message) {
            return relay.message(selector, flow, message);
        }
    }
}
