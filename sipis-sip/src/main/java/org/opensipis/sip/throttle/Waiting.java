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
    private final PriorityQueue<Waiter> ordered = new PriorityQueue<>(
            Comparator.<Waiter>comparingLong(w -> w.deadline).thenComparingLong(w -> w.seq));

    void addFirst(Waiter w) {
        ahead.addFirst(w);
    }

    void add(Waiter w) {
        ordered.add(w);
    }

    Waiter peekFirst() {
        Waiter w = ahead.peekFirst();
        return w != null ? w : ordered.peek();
    }

    Waiter pollFirst() {
        Waiter w = ahead.pollFirst();
        return w != null ? w : ordered.poll();
    }

    boolean isEmpty() {
        return ahead.isEmpty() && ordered.isEmpty();
    }

    int size() {
        return ahead.size() + ordered.size();
    }
}
