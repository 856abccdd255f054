package org.opensipis.push.lifecycle;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** An executor the test drains by hand, on the test thread. */
final class ManualExecutor implements Executor {

    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable command) {
        tasks.add(command);
    }

    /** Runs queued tasks (and tasks they queue) until none is left; returns how many ran. */
    int drain() {
        int n = 0;
        for (Runnable r = tasks.poll(); r != null && n < 1_000_000; r = tasks.poll()) {
            r.run();
            n++;
        }
        return n;
    }
}
