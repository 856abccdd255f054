package org.opensipis.sip.call;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Outcome counters; lock-free, written from any owner, read by /stats. */
final class Counters {

    final LongAdder invites = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder missed = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder answeredElsewhere = new LongAdder();
    final AtomicInteger pending = new AtomicInteger();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> messages = new ConcurrentHashMap<>();

    void outcome(String reason) {
        outcomes.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void message(String kind) {
        messages.computeIfAbsent(kind, r -> new LongAdder()).increment();
    }

    IncomingStats snapshot() {
        return new IncomingStats(invites.sum(), accepted.sum(), missed.sum(), answered.sum(), answeredElsewhere.sum(),
                pending.get(), copy(outcomes), copy(messages));
    }

    private static Map<String, Long> copy(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
