package org.opensipis.sip.owner;

import java.util.List;
import java.util.Locale;

/**
 * The fixed set of owners the instances of a process are partitioned over. A selector's owner is
 * chosen by the hash of the selector (case-insensitive), so every component that keeps state of
 * an instance — its registration, the app leg's binding and lapse timer, the hand-over's
 * foreground flag, relayed calls, life-cycle timers — finds the same owner for it and needs no
 * lock. Components that are global by nature (a socket, a listener) hand work to
 * {@link #of(String)}.
 */
public final class Owners {

    private final List<Owner> all;

    public Owners(List<Owner> all) {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("at least one owner is needed");
        }
        this.all = List.copyOf(all);
    }

    /** One owner for every selector (tests, small tools). */
    public static Owners single(Owner owner) {
        return new Owners(List.of(owner));
    }

    /** The owner of a selector's state. */
    public Owner of(String selector) {
        return all.get(indexOf(selector));
    }

    /** The index in {@link #all} of a selector's owner. */
    public int indexOf(String selector) {
        return Math.floorMod(selector.toUpperCase(Locale.ROOT).hashCode(), all.size());
    }

    public List<Owner> all() {
        return all;
    }

    public int size() {
        return all.size();
    }

    /**
     * For owner-only methods: throws unless the calling thread is the selector's owner, naming
     * the method, the selector and the thread (a cheap thread comparison).
     */
    public void check(String method, String selector) {
        check(of(selector), method, selector);
    }

    /** Like {@link #check(String, String)} with the owner already known. */
    public static void check(Owner owner, String method, String selector) {
        if (!owner.inOwner()) {
            throw new IllegalStateException(method + " of selector " + selector + " ran on thread "
                    + Thread.currentThread().getName() + ", not on the selector's owner");
        }
    }
}
