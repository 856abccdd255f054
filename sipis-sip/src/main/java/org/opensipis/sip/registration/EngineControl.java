package org.opensipis.sip.registration;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.sip.throttle.Throttle;
import org.opensipis.sip.transport.Flow;

/**
 * The administrator's handles on the engine (control API): read one instance, refresh it now,
 * disable or enable it, and the throttle's per-registrar load. Every method runs on the
 * instance's owner (or the throttle's) and completes its future there; none blocks.
 */
public final class EngineControl {

    /** The reason shown while an instance is disabled. */
    public static final String DISABLED = "disabled by the administrator";

    /** What {@link #refreshNow} did. */
    public enum Refresh { STARTED, ALREADY_IN_FLIGHT, IDLE, NOT_FOUND }

    private final RegistrationEngine engine;
    private final Map<String, Registration> regs;
    private final InstanceMachine machine;
    private final Throttle throttle;

    EngineControl(RegistrationEngine engine, Map<String, Registration> regs, InstanceMachine machine, Throttle throttle) {
        this.engine = engine;
        this.regs = regs;
        this.machine = machine;
        this.throttle = throttle;
    }

    /** The engine's view of one instance; empty if the engine does not hold it. */
    public CompletableFuture<Optional<InstanceDiagnostics>> inspect(String selector) {
        return onOwner(selector, Optional.empty(), r -> Optional.of(diagnostics(r)));
    }

    /** Sends a REGISTER now (through the throttle) instead of waiting for the refresh timer. */
    public CompletableFuture<Refresh> refreshNow(String selector) {
        return onOwner(selector, Refresh.NOT_FOUND, r -> {
            if (r.busy()) {
                return Refresh.ALREADY_IN_FLIGHT;
            }
            if (r.leaving()) {
                return Refresh.IDLE;
            }
            r.cancelTimer();
            machine.register(r);
            return Refresh.STARTED;
        });
    }

    /** Removes the binding and keeps the instance Idle until {@link #enable}; false if not held. */
    public CompletableFuture<Boolean> disable(String selector) {
        return onOwner(selector, false, r -> {
            r.hold(Registration.Hold.DISABLED);
            if (r.idle()) {
                machine.setState(r, RegistrationState.IDLE, DISABLED);
            } else {
                engine.goIdle(r);
            }
            return true;
        });
    }

    /** Lets a disabled instance register again (or stay Idle while its app is in front); false if not held. */
    public CompletableFuture<Boolean> enable(String selector) {
        return onOwner(selector, false, r -> {
            if (!r.disabled()) {
                return true;
            }
            r.release(Registration.Hold.DISABLED);
            if (r.record.appForeground()) {
                machine.setState(r, RegistrationState.IDLE, "");
            } else {
                engine.continueWith(r, r.record);
            }
            return true;
        });
    }

    /** Per registrar address: queued REGISTERs and the recent rate. */
    public CompletableFuture<List<Throttle.HostLoad>> throttleHosts() {
        return throttle.hosts();
    }

    private <T> CompletableFuture<T> onOwner(String selector, T absent, java.util.function.Function<Registration, T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        Registration r = regs.get(selector);
        if (r == null) {
            out.complete(absent);
            return out;
        }
        r.owner.execute(() -> {
            try {
                out.complete(r.removed() ? absent : f.apply(r));
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    private static InstanceDiagnostics diagnostics(Registration r) {
        Flow f = r.flow;
        return new InstanceDiagnostics(r.selector, r.state, r.reason, r.lastResponse,
                r.lastResponseAt > 0 ? Optional.of(Instant.ofEpochMilli(r.lastResponseAt)) : Optional.empty(),
                r.timer != null && r.nextAttemptAt > 0 ? Optional.of(Instant.ofEpochMilli(r.nextAttemptAt)) : Optional.empty(),
                r.registeredUntil > 0 ? Optional.of(Instant.ofEpochMilli(r.registeredUntil)) : Optional.empty(),
                r.busy(), r.failures, r.disabled(), r.callId(), r.cseq, f == null ? "" : f.toString());
    }
}
