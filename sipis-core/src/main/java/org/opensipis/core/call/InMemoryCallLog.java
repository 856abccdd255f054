package org.opensipis.core.call;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link CallLog} in memory: lost on restart. For tests and for a process run without a
 * database. Thread-safe (one lock per selector entry); futures complete at once.
 */
public final class InMemoryCallLog implements CallLog {

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        final List<MissedCall> calls = new ArrayList<>();
        final List<TextMessage> messages = new ArrayList<>();

        int badge() {
            return calls.size() + messages.size();
        }
    }

    @Override
    public CompletableFuture<Integer> recordMissedCall(String selector, MissedCall call) {
        Entry e = entries.computeIfAbsent(selector, s -> new Entry());
        synchronized (e) {
            e.calls.add(call);
            return CompletableFuture.completedFuture(e.badge());
        }
    }

    @Override
    public CompletableFuture<Integer> recordTextMessage(String selector, TextMessage message) {
        Entry e = entries.computeIfAbsent(selector, s -> new Entry());
        synchronized (e) {
            e.messages.add(message);
            return CompletableFuture.completedFuture(e.badge());
        }
    }

    @Override
    public CompletableFuture<Integer> badge(String selector) {
        Entry e = entries.get(selector);
        if (e == null) {
            return CompletableFuture.completedFuture(0);
        }
        synchronized (e) {
            return CompletableFuture.completedFuture(e.badge());
        }
    }

    @Override
    public CompletableFuture<List<MissedCall>> missedCalls(String selector) {
        Entry e = entries.get(selector);
        if (e == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        synchronized (e) {
            return CompletableFuture.completedFuture(List.copyOf(e.calls));
        }
    }

    @Override
    public CompletableFuture<List<TextMessage>> textMessages(String selector) {
        Entry e = entries.get(selector);
        if (e == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        synchronized (e) {
            return CompletableFuture.completedFuture(List.copyOf(e.messages));
        }
    }

    @Override
    public CompletableFuture<Void> clear(String selector) {
        entries.remove(selector);
        return CompletableFuture.completedFuture(null);
    }
}
