package org.opensipis.push.lifecycle;

import java.util.Arrays;

/**
 * The entries of one life-cycle partition that have a step planned, earliest first: a binary
 * min-heap by {@link Entry#due} (ties by {@link Entry#key}) in one array, each entry knowing its
 * index, so that removing one is O(log n) and a queued entry costs one array slot, not a tree
 * node. An entry's {@code due} changes only while it is out of the queue. Not thread-safe: a
 * partition's queue is touched only on its owner.
 */
final class DueQueue<T extends DueQueue.Entry> {

    /** What the queue orders; {@link #index} is the queue's own (-1 when not queued). */
    abstract static class Entry {
        /** When the next step is due, nanoseconds since the epoch. */
        long due;
        int index = -1;

        abstract String key();

        boolean queued() {
            return index >= 0;
        }
    }

    private Entry[] heap = new Entry[16];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The earliest entry, or null. */
    @SuppressWarnings("unchecked")
    T first() {
        return size == 0 ? null : (T) heap[0];
    }

    void add(T e) {
        if (e.queued()) {
            throw new IllegalStateException("already queued: " + e.key());
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = e;
        e.index = size;
        size++;
        up(e.index);
    }

    /** Removes and returns the earliest entry, or null. */
    T pollFirst() {
        T e = first();
        if (e != null) {
            removeAt(0);
        }
        return e;
    }

    /** Removes {@code e} if it is queued. */
    void remove(T e) {
        if (e.queued()) {
            removeAt(e.index);
        }
    }

    private void removeAt(int i) {
        heap[i].index = -1;
        size--;
        Entry last = heap[size];
        heap[size] = null;
        if (i == size) {
            return;
        }
        heap[i] = last;
        last.index = i;
        down(i);
        if (heap[i] == last) {
            up(i);
        }
    }

    private static int compare(Entry a, Entry b) {
        int c = Long.compare(a.due, b.due);
        return c != 0 ? c : a.key().compareTo(b.key());
    }

    private void up(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (compare(e, p) >= 0) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private void down(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Entry c = heap[child];
            int right = child + 1;
            if (right < size && compare(heap[right], c) < 0) {
                child = right;
                c = heap[child];
            }
            if (compare(e, c) <= 0) {
                break;
            }
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
