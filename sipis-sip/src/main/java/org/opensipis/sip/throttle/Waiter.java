package org.opensipis.sip.throttle;

/** One request waiting for a permit of the {@link Throttle}. */
final class Waiter {
    final Runnable grant;
    final boolean slot;
    final java.util.function.BooleanSupplier wanted;
    /** When the binding this registration renews lapses; {@link Long#MIN_VALUE}: due now. */
    final long deadline;
    long seq;

    Waiter(Runnable grant, boolean slot, java.util.function.BooleanSupplier wanted, long deadline) {
        this.grant = grant;
        this.slot = slot;
        this.wanted = wanted;
        this.deadline = deadline;
    }
}
