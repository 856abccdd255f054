package org.opensipis.push.lifecycle;

import java.util.Objects;
import java.util.function.Function;

/**
 * A map from selector to an element that carries its own selector, in one array (open addressing,
 * linear probing, at most half full). A {@code HashMap} keeps a 32-B node per entry besides its
 * table; a process tracks every instance it holds, so that is 3.2 MB at 100,000 instances. Not
 * thread-safe: each owner keeps its own.
 *
 * @param <E> the element, whose selector {@code keyOf} gives and never changes
 */
final class SelectorTable<E> {

    private static final int MIN_CAPACITY = 16;

    private final Function<E, String> keyOf;
    private Object[] slots = new Object[MIN_CAPACITY];
    private int size;

    SelectorTable(Function<E, String> keyOf) {
        this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    }

    int size() {
        return size;
    }

    /** The element of {@code selector}, or null. */
    E get(String selector) {
        Object[] s = slots;
        int mask = s.length - 1;
        for (int i = index(selector, mask); ; i = (i + 1) & mask) {
            E e = element(s[i]);
            if (e == null || keyOf.apply(e).equals(selector)) {
                return e;
            }
        }
    }

    /** Adds {@code e}, or replaces the element of its selector; returns the one replaced, or null. */
    E put(E e) {
        String key = keyOf.apply(Objects.requireNonNull(e, "e"));
        if ((size + 1) * 2 > slots.length) {
            resize(slots.length * 2);
        }
        Object[] s = slots;
        int mask = s.length - 1;
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            E old = element(s[i]);
            if (old == null) {
                s[i] = e;
                size++;
                return null;
            }
            if (keyOf.apply(old).equals(key)) {
                s[i] = e;
                return old;
            }
        }
    }

    /** Removes the element of {@code selector}; returns it, or null. */
    E remove(String selector) {
        Object[] s = slots;
        int mask = s.length - 1;
        int i = index(selector, mask);
        while (true) {
            E e = element(s[i]);
            if (e == null) {
                return null;
            }
            if (keyOf.apply(e).equals(selector)) {
                break;
            }
            i = (i + 1) & mask;
        }
        E removed = element(s[i]);
        // backward-shift deletion: move up every later element of the run that the gap would hide
        int gap = i;
        for (int j = (gap + 1) & mask; s[j] != null; j = (j + 1) & mask) {
            int home = index(keyOf.apply(element(s[j])), mask);
            // j's element may fill the gap unless its home lies cyclically in (gap, j]
            boolean homeAfterGap = gap <= j ? gap < home && home <= j : gap < home || home <= j;
            if (!homeAfterGap) {
                s[gap] = s[j];
                gap = j;
            }
        }
        s[gap] = null;
        size--;
        if (s.length > MIN_CAPACITY && size * 8 < s.length) {
            resize(s.length / 2);   // give memory back after a shard moved away
        }
        return removed;
    }

    private void resize(int capacity) {
        Object[] old = slots;
        Object[] s = new Object[capacity];
        int mask = capacity - 1;
        for (Object o : old) {
            if (o != null) {
                int i = index(keyOf.apply(element(o)), mask);
                while (s[i] != null) {
                    i = (i + 1) & mask;
                }
                s[i] = o;
            }
        }
        slots = s;
    }

    private static int index(String key, int mask) {
        int h = key.hashCode() * 0x9E3779B9;   // spread the low bits (String hashes of similar keys cluster)
        return (h ^ (h >>> 16)) & mask;
    }

    @SuppressWarnings("unchecked")
    private static <E> E element(Object o) {
        return (E) o;
    }
}
