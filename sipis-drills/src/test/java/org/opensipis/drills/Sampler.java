package org.opensipis.drills;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Samples the registrar every 250 ms: registered users and contacts (usrloc statistics), so a
 * drill can tell users without a binding (expected − registered) and duplicate contacts
 * (contacts − users) at every moment.
 */
final class Sampler implements AutoCloseable {

    /** One sample; users and contacts are −1 while the registrar does not answer. */
    record Sample(long millis, long users, long contacts) {
        long duplicates() {
            return Math.max(0, contacts - users);
        }
    }

    final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "drill-sampler");
        t.setDaemon(true);
        return t;
    });

    Sampler(Registrar registrar) {
        timer.scheduleAtFixedRate(() -> {
            long[] s = registrar.stats();
            samples.add(new Sample(System.currentTimeMillis(), s[0], s[1]));
        }, 0, 250, TimeUnit.MILLISECONDS);
    }

    List<Sample> between(long fromMillis, long toMillis) {
        return samples.stream().filter(s -> s.millis() >= fromMillis && s.millis() <= toMillis && s.users() >= 0).toList();
    }

    /** The fewest registered users seen in the interval (the registrar answering). */
    long minUsers(long fromMillis, long toMillis) {
        return between(fromMillis, toMillis).stream().mapToLong(Sample::users).min().orElse(-1);
    }

    long maxDuplicates(long fromMillis, long toMillis) {
        return between(fromMillis, toMillis).stream().mapToLong(Sample::duplicates).max().orElse(-1);
    }

    /** The first sample time at or after {@code fromMillis} whose user count passes the test, or −1. */
    long firstTime(long fromMillis, LongPredicate users) {
        return samples.stream().filter(s -> s.millis() >= fromMillis && s.users() >= 0 && users.test(s.users()))
                .mapToLong(Sample::millis).findFirst().orElse(-1);
    }

    /** The longest gap between two samples in the interval, in ms (proves the ≤ 250 ms sampling held). */
    long longestGap(long fromMillis, long toMillis) {
        List<Sample> s = samples.stream().filter(x -> x.millis() >= fromMillis && x.millis() <= toMillis).toList();
        long gap = 0;
        for (int i = 1; i < s.size(); i++) {
            gap = Math.max(gap, s.get(i).millis() - s.get(i - 1).millis());
        }
        return gap;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
