package org.opensipis.sip.app;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.time.Clock;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.relay.CallProgress;
import org.opensipis.sip.relay.CallRelay;
import org.opensipis.sip.testing.KamailioProxy;
import org.opensipis.sip.testing.Stack;

/**
 * An app leg and a call relay wired to a {@link Stack} the way the composition root wires them:
 * the app leg's progress and in-call messages go to the relay, and responses on the provider
 * side that match no REGISTER go to the relay too. Foreground/background are ignored here (the
 * hand-over is tested in sipis-server).
 */
final class RelayRig implements AutoCloseable {

    /** The provider's registrar and proxy, when this rig started one ({@link #withKamailio}). */
    final KamailioProxy kamailio;
    final Stack stack;
    final ThreadOwner appOwner = new ThreadOwner("sipis-test-app");
    final AppLegServer appLeg;
    final CallRelay relay;
    /** Every progress signal, as {@code "<selector> <pairing id or ->"}. */
    final Queue<String> progress = new ConcurrentLinkedQueue<>();

    /**
     * Kamailio (with {@code users} and their passwords), a {@link Stack} (T1 = T2 = 10 s) and the
     * app leg and relay over {@code directory}; {@link #close} stops them all.
     */
    static RelayRig withKamailio(Path dir, Map<String, String> users, AppDirectory directory) throws Exception {
        KamailioProxy kamailio = new KamailioProxy(users);
        try {
            return new RelayRig(kamailio, new Stack(dir, Duration.ofSeconds(10), List.of()), directory);
        } catch (Exception | Error e) {
            kamailio.close();
            throw e;
        }
    }

    RelayRig(Stack stack, AppDirectory directory) throws IOException {
        this(null, stack, directory);
    }

    private RelayRig(KamailioProxy kamailio, Stack stack, AppDirectory directory) throws IOException {
        this.kamailio = kamailio;
        this.stack = stack;
        RelayPresence presence = new RelayPresence(progress);
        appLeg = AppLegServer.start(AppLegHarness.config(0), directory, presence, appOwner, Clock.systemUTC());
        relay = stack.relay;
        presence.relay = relay;
        presence.progressOf = stack.progress;
        stack.appBindings = appLeg::bindingOf;
    }

    /** Registers {@code record} at the provider (through the stack's engine) and waits until it is Registered. */
    void registerAndAwait(InstanceRecord record) {
        stack.engine.register(record, Optional.empty());
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.engine.state(record.selector())
                .map(InstanceState::state).orElse(null) == RegistrationState.REGISTERED);
    }

    @Override
    public void close() throws Exception {
        appLeg.close();
        appOwner.close();
        if (kamailio != null) {
            stack.close();
            kamailio.close();
        }
    }

    /** App presence that hands progress and in-call messages to a relay set after construction. */
    static final class RelayPresence implements AppPresence {
        private final Queue<String> progress;
        volatile CallRelay relay;
        volatile CallProgress progressOf;

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
            progressOf.progress(selector, pairingId);
        }

        @Override
        public boolean message(String selector, AppFlow flow, SipMessage message) {
            return relay.message(selector, flow, message);
        }
    }
}
