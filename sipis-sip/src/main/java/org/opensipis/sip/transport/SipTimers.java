package org.opensipis.sip.transport;

/**
 * The RFC 3261 transaction timers, in one place for the registration engine, the incoming-call
 * server transactions and the call relay's client transactions (RFC 3261 17.1.1.2, 17.1.2.2,
 * 17.2.1, 17.2.2, Table 4). T1 can be set (tests); T2 and T4 keep their RFC ratio to it:
 * 4 s and 5 s at the default T1 of 500 ms.
 *
 * @param t1Millis the round-trip estimate T1
 */
public record SipTimers(long t1Millis) {

    /** RFC 3261's default T1. */
    public static final long DEFAULT_T1_MILLIS = 500;

    /** T1 = 500 ms, T2 = 4 s, T4 = 5 s. */
    public static final SipTimers RFC_3261 = new SipTimers(DEFAULT_T1_MILLIS);

    public SipTimers {
        if (t1Millis < 1) {
            throw new IllegalArgumentException("T1 must be positive, was " + t1Millis + " ms");
        }
    }

    /** T2: the longest retransmission interval of non-INVITE requests and INVITE responses. */
    public long t2Millis() {
        return 8 * t1Millis;
    }

    /** T4: how long a message may stay in the network (Timer I, K). */
    public long t4Millis() {
        return 10 * t1Millis;
    }

    /** Timer B (INVITE client), F (non-INVITE client), H (INVITE server), J, L: 64·T1. */
    public long transactionTimeoutMillis() {
        return 64 * t1Millis;
    }

    /** Timer E and G: the next retransmission interval after {@code current}, doubled, at most T2. */
    public long nextRetransmitMillis(long current) {
        return Math.min(2 * current, t2Millis());
    }

    /** Timer A (INVITE client, until a provisional response): doubled, no cap. */
    public long nextInviteRetransmitMillis(long current) {
        return 2 * current;
    }
}
