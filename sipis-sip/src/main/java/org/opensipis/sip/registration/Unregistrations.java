package org.opensipis.sip.registration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.RegistrationSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taking bindings away: removing one instance (unregister, then Off and forgotten) and, when
 * decommissioning ({@code Registration[UnregisterOnStop]}), unregistering every instance at stop
 * within {@code Registration/ShutdownTimeout}. Part of {@link RegistrationEngine}; the work runs
 * on each instance's owner.
 */
final class Unregistrations {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationEngine.class);

    private final Map<String, Registration> regs;
    private final InstanceMachine machine;
    private final RegistrationListener listener;
    private final RegistrationSettings rs;

    Unregistrations(Map<String, Registration> regs, InstanceMachine machine, RegistrationListener listener,
                    RegistrationSettings rs) {
        this.regs = regs;
        this.machine = machine;
        this.listener = listener;
        this.rs = rs;
    }

    /** Unregisters (through the throttle) and forgets an instance; its final state is Off. */
    CompletableFuture<Void> remove(String selector) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Registration r = regs.get(selector);
        if (r == null) {
            done.complete(null);
            return done;
        }
        r.owner.execute(() -> {
            if (r.removed()) {
                done.complete(null);
                return;
            }
            r.hold(Registration.Hold.REMOVED);
            machine.unregister(r, () -> {
                machine.setState(r, RegistrationState.OFF, "removed");
                regs.remove(r.selector, r);
                listener.removed(r.selector);
                done.complete(null);
            });
        });
        return done;
    }

    void unregisterAll() {
        List<Registration> all = new ArrayList<>(regs.values());
        CountDownLatch left = new CountDownLatch(all.size());
        for (Registration r : all) {
            r.owner.execute(() -> {
                r.hold(Registration.Hold.IDLE);
                machine.unregister(r, left::countDown);
            });
        }
        try {
            if (!left.await(rs.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Shutdown: {} of {} unregistrations did not finish within {}", left.getCount(), all.size(),
                        rs.shutdownTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
