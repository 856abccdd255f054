package org.opensipis.sip.registration;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** Metrics counters; thread-safe, cheap to update. */
final class Counters {
    final LongAdder registersSent = new LongAdder();
    final LongAdder retransmissions = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder transportErrors = new LongAdder();
    /** Bindings taken over from the store at a restart without a REGISTER. */
    final LongAdder resumed = new LongAdder();
    final AtomicLongArray responses = new AtomicLongArray(700);

    Map<Integer, Long> responsesByCode() {
        Map<Integer, Long> out = new TreeMap<>();
        for (int i = 100; i < 700; i++) {
            long v = responses.get(i);
            if (v > 0) {
                out.put(i, v);
            }
        }
        return out;
    }
}
