package org.opensipis.sip.registration;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Whether this process may send a REGISTER for a selector now (the server's answer: a lease it
 * holds). An instance held back sends nothing and asks again {@link #RECHECK_MILLIS} later, on
 * its owner. Part of {@link RegistrationEngine}; see {@link RegistrationEngine#setRegisterGate}.
 */
final class RegisterGate {

    /** How soon an instance the gate held back asks again. */
    static final long RECHECK_MILLIS = 1000;

    private volatile Predicate<String> allows = selector -> true;

    void set(Predicate<String> p) {
        this.allows = Objects.requireNonNull(p, "gate");
    }

    /** True when {@code r} may not register now; then {@code retry} runs on its owner a second later. On the owner. */
    boolean holdsBack(Registration r, Runnable retry) {
        if (allows.test(r.selector)) {
            return false;
        }
        r.cancelTimer();
        r.timer = r.owner.scheduleLoosely(() -> {
            r.timer = null;
            retry.run();
        }, RECHECK_MILLIS);
        return true;
    }
}
