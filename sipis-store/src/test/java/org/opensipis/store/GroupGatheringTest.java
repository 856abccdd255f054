package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** The wait for a group to fill: never for a lone caller, never past its bound. */
class GroupGatheringTest {

    @Test
    void aLoneCallerNeverWaitsAndEightWaitingTogetherAreAwaitedAsOneGroup() throws InterruptedException {
        GroupGathering g = new GroupGathering();
        LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        g.arrived(0);
        queue.add(1);
        g.await(queue, 200);   // target 1, already there
        assertThat(queue).hasSize(1);
        g.answered();
        queue.clear();

        for (int i = 0; i < 8; i++) {
            g.arrived(0);
        }
        for (int i = 0; i < 4; i++) {
            g.answered();   // half of them answered, about to come back
        }
        queue.addAll(java.util.List.of(1, 2, 3, 4));
        Thread back = new Thread(() -> {
            for (int i = 0; i < 4; i++) {
                queue.add(10 + i);
                g.arrived(queue.size());
            }
        });
        back.start();
        g.await(queue, 200);   // waits for the other four, at most MAX_WAIT_NANOS
        assertThat(queue.size()).isBetween(4, 8);
        back.join();
    }

    @Test
    void theWaitIsBoundedWhenTheCallersDoNotComeBack() {
        GroupGathering g = new GroupGathering();
        for (int i = 0; i < 8; i++) {
            g.arrived(0);
        }
        LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>(java.util.List.of(1));
        g.await(queue, 200);   // returns after at most MAX_WAIT_NANOS with what is there
        assertThat(queue).hasSize(1);
        g.await(queue, 1);     // never waits for more than a group can hold
        assertThat(queue).hasSize(1);
    }
}
