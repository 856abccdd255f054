package org.opensipis.sip.owner;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Loose timers on a real event loop: never early, at most the slack late, cancellable, on the loop. */
class EventLoopOwnerTest {

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopOwner owner = new EventLoopOwner(group.next());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void looseTimersRunOnTheLoopNotEarlyAndNotMuchLate() throws Exception {
        int n = 50;
        CountDownLatch ran = new CountDownLatch(n);
        List<Long> early = new CopyOnWriteArrayList<>();
        List<Long> lateMillis = new CopyOnWriteArrayList<>();
        AtomicBoolean offLoop = new AtomicBoolean();
        for (int i = 0; i < n; i++) {
            long delay = 3 + i;
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
            owner.scheduleLoosely(() -> {
                long now = System.nanoTime();
                if (now < due) {
                    early.add(due - now);
                }
                lateMillis.add(TimeUnit.NANOSECONDS.toMillis(now - due));
                offLoop.compareAndSet(false, !owner.inOwner());
                ran.countDown();
            }, delay);
        }
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(early).isEmpty();
        assertThat(offLoop).isFalse();
        // the grid adds at most SLACK_MILLIS; the loop's own lateness on a busy machine is not ours
        assertThat(lateMillis.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(Owner.SLACK_MILLIS);
    }

    @Test
    void pendingTasksCountsWhatWaitsBehindABusyLoop() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        owner.execute(() -> {
            busy.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        CountDownLatch done = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            owner.execute(done::countDown);
        }
        assertThat(owner.pendingTasks()).isEqualTo(3);
        release.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(owner.pendingTasks()).isZero();
    }

    @Test
    void cancelledLooseTimersDoNotRun() throws Exception {
        AtomicBoolean cancelledRan = new AtomicBoolean();
        Owner.Cancellable c = owner.scheduleLoosely(() -> cancelledRan.set(true), 30);
        c.cancel();
        CountDownLatch later = new CountDownLatch(1);
        owner.scheduleLoosely(later::countDown, 60);
        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cancelledRan).isFalse();
    }

    @Test
    void looseTimersScheduledOnTheLoopShareSlotsRunInOrderSkipTheCancelledAndSurviveAFailingOne() throws Exception {
        int n = 200;
        CountDownLatch ran = new CountDownLatch(n - n / 4);
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Long> early = new CopyOnWriteArrayList<>();
        AtomicBoolean cancelledRan = new AtomicBoolean();
        AtomicBoolean offLoop = new AtomicBoolean();
        owner.execute(() -> {
            for (int i = 0; i < n; i++) {
                int k = i;
                long delay = 5 + (i % 3);       // a few grid points, many timers each
                long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
                Owner.Cancellable c = owner.scheduleLoosely(() -> {
                    if (k % 4 == 0) {
                        cancelledRan.set(true);
                    }
                    long now = System.nanoTime();
                    if (now < due) {
                        early.add(due - now);
                    }
                    offLoop.compareAndSet(false, !owner.inOwner());
                    order.add(k);
                    ran.countDown();
                    if (k == 1) {
                        throw new IllegalStateException("a failing timer task (expected by the test)");
                    }
                }, delay);
                if (k % 4 == 0) {
                    c.cancel();
                }
            }
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cancelledRan).isFalse();
        assertThat(early).isEmpty();
        assertThat(offLoop).isFalse();
        assertThat(order).hasSize(n - n / 4).doesNotHaveDuplicates();
        // within one delay (one grid point, scheduled at once), timers run in the order they were scheduled
        for (int d = 0; d < 3; d++) {
            int dd = d;
            List<Integer> sameDelay = order.stream().filter(k -> k % 3 == dd).toList();
            assertThat(sameDelay).isSorted();
        }
    }
}
