package org.opensipis.sip.throttle;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A host's waiting requests: continuations and paced retransmissions ahead (last in, first
 * out, as before), then new registrations earliest deadline first.
 */
final class Waiting {
    private final ArrayDeque<Waiter> ahead = new ArrayDeque<>();
    private static final Comparator<Waiter> ORDER = Comparator.<Waiter>comparingLong(w -> w.deadline)
            .thenComparingLong(w -> w.seq);
    /** A queue that held more than this is replaced once empty: its array never shrinks. */
    static final int SHRINK_ABOVE = 1024;
    private PriorityQueue<Waiter> ordered = new PriorityQueue<>(ORDER);
    private int peak;

    void addFirst(Waiter w) {
        ahead.addFirst(w);
    }

    void add(Waiter w) {
        ordered.add(w);
        peak = Math.max(peak, ordered.size());
    }

    Waiter peekFirst() {
        Waiter w = ahead.peekFirst();
        return w != null ? w : ordered.peek();
    }

    Waiter pollFirst() {
        Waiter w = ahead.pollFirst();
        if (w != null) {
            return w;
        }
        w = ordered.poll();
        if (peak > SHRINK_ABOVE && ordered.isEmpty()) {
            // after a restart's flood (100,000 waiting: a 0.5 MB array), kept for good otherwise
            ordered = new PriorityQueue<>(ORDER);
            peak = 0;
        }
        return w;
    }

    /** The capacity the ordered queue grew to since it was last replaced (tests). */
    int peak() {
        return peak;
    }

    boolean isEmpty() {
        return ahead.isEmpty() && ordered.isEmpty();
    }

    int size() {
        return ahead.size() + ordered.size();
    }
}
