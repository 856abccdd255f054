package org.opensipis.push.lifecycle;

import java.util.concurrent.Executor;

/**
 * The serial executors the life cycle runs on, one partition each, and which one owns a
 * selector. In the process these are the registration engine's owners, so an instance's
 * life-cycle timers run on the same executor as the rest of its state.
 */
public interface LifecycleOwners {

    /** How many owners (partitions). */
    int size();

    /** The owner of a selector, in {@code [0, size())}. */
    int indexOf(String selector);

    /** Runs the task on owner {@code index}, after the tasks already queued there. */
    void execute(int index, Runnable task);

    /** Whether the calling thread is owner {@code index}. */
    boolean inOwner(int index);

    /** One executor for every selector, not checked (tests drive it by hand). */
    static LifecycleOwners single(Executor executor) {
        return new LifecycleOwners() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public int indexOf(String selector) {
                return 0;
            }

            @Override
            public void execute(int index, Runnable task) {
                executor.execute(task);
            }

            @Override
            public boolean inOwner(int index) {
                return true;
            }
        };
    }
}
