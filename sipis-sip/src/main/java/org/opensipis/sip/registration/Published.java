package org.opensipis.sip.registration;

import java.time.Instant;
import java.util.Optional;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;

/**
 * The last state published for one instance, as kept in memory between publications: plain
 * fields (no {@code Optional}, no {@code Instant}), the selector, server and Call-ID taken from
 * the {@link Registration} that holds it. One small object per instance instead of an
 * {@link InstanceState} with its two Optionals and two Instants; {@link #toState} builds the
 * full record when /stats, a snapshot or an adoption asks for it.
 *
 * @param registeredUntil epoch millis until which the binding holds, 0 when none is held
 * @param contactTail     the Contact of that binding in our own form: its tail after {@code <contact user>@} (see
 *                        {@link Registration#contact()}), or null
 * @param contactOther    the Contact when not in our own form, or null
 * @param changedAtNanos  when the state was reached, nanoseconds since the epoch
 */
record Published(RegistrationState state, String reason, long registeredUntil, String contactTail,
                 String contactOther, long cseq, long changedAtNanos) {

    /** The state of {@code r} now (on its owner), reached at {@code at}. */
    static Published of(Registration r, Instant at) {
        boolean held = r.registeredUntil > 0;
        return of(r.state, r.reason, held ? r.registeredUntil : 0, held ? r.contactTail() : null,
                held ? r.contactOther() : null, r.cseq, at);
    }

    static Published of(RegistrationState state, String reason, long registeredUntil, String contactTail,
                        String contactOther, long cseq, Instant changedAt) {
        return new Published(state, reason, registeredUntil, contactTail, contactOther, cseq,
                Math.addExact(Math.multiplyExact(changedAt.getEpochSecond(), 1_000_000_000L), changedAt.getNano()));
    }

    /**
     * Whether this state, following {@code before}, is a plain refresh the listener is not told of
     * ({@link RegistrationListener#REFRESH_CSEQ_STEP}): registered both times, same reason and
     * Contact, and the CSeq still short of the next multiple of the step.
     */
    boolean quietRefreshOf(Published before) {
        return state == RegistrationState.REGISTERED && before.state == RegistrationState.REGISTERED
                && registeredUntil > 0 && before.registeredUntil > 0
                && reason.equals(before.reason) && java.util.Objects.equals(contactTail, before.contactTail)
                && java.util.Objects.equals(contactOther, before.contactOther)
                && cseq >= before.cseq
                && Math.floorDiv(cseq, RegistrationListener.REFRESH_CSEQ_STEP)
                        == Math.floorDiv(before.cseq, RegistrationListener.REFRESH_CSEQ_STEP);
    }

    InstanceState toState(String selector, String server, String callId) {
        boolean held = registeredUntil > 0;
        String contact = contactTail != null ? Registration.contactHead(selector) + contactTail : contactOther;
        return new InstanceState(selector, server, state, reason,
                held ? Optional.of(Instant.ofEpochMilli(registeredUntil)) : Optional.empty(),
                held ? Optional.ofNullable(contact) : Optional.empty(), callId, cseq,
                Instant.ofEpochSecond(Math.floorDiv(changedAtNanos, 1_000_000_000L),
                        Math.floorMod(changedAtNanos, 1_000_000_000L)));
    }
}
