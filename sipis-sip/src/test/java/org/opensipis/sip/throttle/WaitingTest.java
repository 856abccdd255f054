package org.opensipis.sip.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throttle's per-registrar queue: deadline order, and no flood-sized array kept once drained. */
class WaitingTest {

    @Test
    void aDrainedFloodLeavesASmallQueueBehindInTheSameOrder() {
        Waiting q = new Waiting();
        List<Long> order = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            Waiter w = new Waiter(() -> { }, true, null, 5000 - i);
            w.seq = i;
            q.add(w);
        }
        assertThat(q.peak()).isEqualTo(5000);
        while (!q.isEmpty()) {
            order.add(q.pollFirst().deadline);
        }
        assertThat(order).isSorted().hasSize(5000);
        assertThat(q.peak()).isZero(); // replaced: the next flood starts from a small array
        Waiter a = new Waiter(() -> { }, true, null, 2);
        Waiter b = new Waiter(() -> { }, true, null, 1);
        q.add(a);
        q.add(b);
        assertThat(q.pollFirst()).isSameAs(b);
        assertThat(q.pollFirst()).isSameAs(a);
        assertThat(q.peak()).isEqualTo(2);
    }
}
