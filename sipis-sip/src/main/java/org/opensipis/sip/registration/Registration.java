package org.opensipis.sip.registration;

import java.util.HexFormat;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SharedParts;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.transport.Flow;

/**
 * The compact mutable state of one instance. Touched only on its {@link #owner} (except
 * {@link #published}, which is volatile for /stats). No collections, no per-instance caches:
 * digest challenges are cached per registrar, transactions exist only while in flight.
 */
final class Registration implements Runnable {

    final String selector;
    final Owner owner;
    /**
     * The REGISTER Call-ID, see {@link #callId()}: one this engine made ({@value #CALL_ID_HEX} hex digits
     * and {@value #CALL_ID_SUFFIX}) is kept as its 96 bits, any other (restored from an older version) whole.
     */
    private final long callIdHigh;
    private final int callIdLow;
    volatile InstanceRecord record;
    long cseq;
    RegistrationState state = RegistrationState.REGISTERING;
    String reason = "";
    int expires;
    long registeredUntil;
    /**
     * The Contact URI of the binding we hold until {@link #registeredUntil} (restored from the store
     * after a restart), see {@link #contact()}: in our own form {@code sip:<contact user>@host:port…}
     * only its tail after the {@code @} is kept, shared between the instances of one address.
     */
    private String contactTail;
    RetryClass failureClass;
    int failures;
    int targetIndex;
    Flow flow;
    Txn txn;
    /** What exchange with the registrar is under way for this instance, if any. */
    enum Exchange {
        NONE,
        /** Asking the registrar which bindings it holds, to take over ours after a restart. */
        TAKE_OVER,
        /** A REGISTER is being resolved, throttled, connected or is in flight. */
        REGISTER
    }

    /**
     * Why the instance keeps no binding. Not one phase: they can hold together (an administrator
     * disables an instance whose app is in the foreground), and lifting one leaves the others.
     */
    enum Hold {
        /** The app is in the foreground (or the binding is being removed for it): stay idle. */
        IDLE,
        /** The instance is being removed for good. */
        REMOVED,
        /** An administrator disabled it: no binding until enabled (not kept across restarts). */
        DISABLED
    }

    Exchange exchange = Exchange.NONE;
    /** The {@link Hold}s in force, one bit per ordinal (a field, not a per-instance EnumSet). */
    private byte holds;
    Owner.Cancellable timer;
    /** What few instances need (null while none of it is set): one reference here instead of seven fields. */
    private Rare rare;
    /** The last state published (compact; {@link InstanceMachine#stateOf} makes the record). */
    volatile Published published;
    /** For the control API: the last final response (or timeout), when, and when the timer fires next. */
    String lastResponse = "";
    long lastResponseAt;
    long nextAttemptAt;

    /** Registers this instance when its {@link #timer} fires (see {@link #run}); null in tests that send nothing. */
    private final InstanceMachine machine;

    Registration(String selector, Owner owner, InstanceRecord record, String callId, long cseq) {
        this(selector, owner, record, callId, cseq, null);
    }

    Registration(String selector, Owner owner, InstanceRecord record, String callId, long cseq, InstanceMachine machine) {
        this.machine = machine;
        this.selector = selector;
        this.owner = owner;
        this.record = record;
        if (ours(callId)) {
            HexFormat hex = HexFormat.of();
            this.callIdHigh = hex.fromHexDigitsToLong(callId, 0, 16);
            this.callIdLow = hex.fromHexDigits(callId, 16, CALL_ID_HEX);
        } else {
            this.callIdHigh = 0;
            this.callIdLow = 0;
            rare().callIdOther = callId;
        }
        this.cseq = cseq;
    }

    static final int CALL_ID_HEX = 24;
    static final String CALL_ID_SUFFIX = "@sipis";

    /** Whether a Call-ID has the form this engine gives new instances: lower-case hex digits and the suffix. */
    static boolean ours(String callId) {
        if (callId.length() != CALL_ID_HEX + CALL_ID_SUFFIX.length() || !callId.endsWith(CALL_ID_SUFFIX)) {
            return false;
        }
        for (int i = 0; i < CALL_ID_HEX; i++) {
            char c = callId.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The REGISTER Call-ID, stable for the instance's life. */
    String callId() {
        if (rare != null && rare.callIdOther != null) {
            return rare.callIdOther;
        }
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(callIdHigh) + hex.toHexDigits(callIdLow) + CALL_ID_SUFFIX;
    }

    /** The binding is being removed for good or for a while: a finished REGISTER must not refresh it. */
    boolean leaving() {
        return idle() || removed() || movingTo() != null;
    }

    /** The Contact of the binding we hold, or null. A REGISTER from another Contact removes it in the same request. */
    String contact() {
        return contactTail != null ? contactHead(selector) + contactTail : contactOther();
    }

    /** Sets {@link #contact()}; {@code tails} shares the tail of our own form between instances. */
    void contact(String uri, SharedParts tails) {
        String head = uri == null ? null : contactHead(selector);
        if (head != null && uri.length() > head.length() && uri.startsWith(head)) {
            contactTail = tails.share(uri.substring(head.length()));
            if (rare != null) {
                rare.contactOther = null;
                trim();
            }
        } else {
            contactTail = null;
            if (uri != null) {
                rare().contactOther = uri;
            } else if (rare != null) {
                rare.contactOther = null;
                trim();
            }
        }
    }

    /** The Contact as kept: its shared tail, or the whole URI when not in our form (for {@link Published}). */
    String contactTail() {
        return contactTail;
    }

    /** A Contact not in our own form (kept whole), or null. */
    String contactOther() {
        return rare == null ? null : rare.contactOther;
    }

    /**
     * The fields only some instances need for a while, apart so that the others do not carry them
     * (28 B per instance).
     */
    private static final class Rare {
        /** A Call-ID not in our own form (restored from an older version), or null. */
        String callIdOther;
        String contactOther;
        /** A REGISTER 3xx being followed ({@link Redirects}): the next hop, who sent us there, how many in a row. */
        org.opensipis.core.instance.SipAccount redirectedTo;
        java.net.InetSocketAddress redirectedFrom;
        int redirects;
        /**
         * The account moved to another AoR or registrar while our binding at the old one was live:
         * the new record, taken once the old binding is removed (null otherwise).
         */
        InstanceRecord movingTo;
        Runnable afterUnregister;

        boolean unused() {
            return callIdOther == null && contactOther == null && redirectedTo == null && redirectedFrom == null
                    && redirects == 0 && movingTo == null && afterUnregister == null;
        }
    }

    private Rare rare() {
        if (rare == null) {
            rare = new Rare();
        }
        return rare;
    }

    private void trim() {
        if (rare != null && rare.unused()) {
            rare = null;
        }
    }

    org.opensipis.core.instance.SipAccount redirectedTo() {
        return rare == null ? null : rare.redirectedTo;
    }

    java.net.InetSocketAddress redirectedFrom() {
        return rare == null ? null : rare.redirectedFrom;
    }

    int redirects() {
        return rare == null ? 0 : rare.redirects;
    }

    /** One more 3xx followed, to {@code to}, sent by {@code from}. */
    void redirected(org.opensipis.core.instance.SipAccount to, java.net.InetSocketAddress from) {
        Rare x = rare();
        x.redirects++;
        x.redirectedTo = to;
        x.redirectedFrom = from;
    }

    /** Forgets the redirects followed. */
    void redirectsReset() {
        if (rare != null) {
            rare.redirects = 0;
            rare.redirectedTo = null;
            rare.redirectedFrom = null;
            trim();
        }
    }

    /** The record to take once the old binding is removed, or null. */
    InstanceRecord movingTo() {
        return rare == null ? null : rare.movingTo;
    }

    void movingTo(InstanceRecord next) {
        if (next != null) {
            rare().movingTo = next;
        } else if (rare != null) {
            rare.movingTo = null;
            trim();
        }
    }

    /** What runs once the binding is removed, or null. */
    Runnable afterUnregister() {
        return rare == null ? null : rare.afterUnregister;
    }

    void afterUnregister(Runnable after) {
        if (after != null) {
            rare().afterUnregister = after;
        } else if (rare != null) {
            rare.afterUnregister = null;
            trim();
        }
    }

    static String contactHead(String selector) {
        return "sip:" + RequestBuilder.contactUser(selector) + "@";
    }

    boolean busy() {
        return exchange != Exchange.NONE;
    }

    boolean idle() {
        return has(Hold.IDLE);
    }

    boolean removed() {
        return has(Hold.REMOVED);
    }

    boolean disabled() {
        return has(Hold.DISABLED);
    }

    boolean has(Hold h) {
        return (holds & (1 << h.ordinal())) != 0;
    }

    void hold(Hold h) {
        holds |= (byte) (1 << h.ordinal());
    }

    void release(Hold h) {
        holds &= (byte) ~(1 << h.ordinal());
    }

    /**
     * The instance's timer task (refresh, retry after a failure, end of a taken-over binding's
     * schedule): the instance registers again. The Registration is its own task, so a waiting
     * timer costs no task object per instance. On the owner.
     */
    @Override
    public void run() {
        timer = null;
        machine.register(this);
    }

    /** Registers again in {@code delayMillis} (loosely: up to {@link Owner#SLACK_MILLIS} late), instead of any timer set. */
    void registerIn(long delayMillis) {
        cancelTimer();
        timer = owner.scheduleLoosely(this, delayMillis);
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
