package org.opensipis.push.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The heap gives the same order as a sorted set by (due, key) under adds, removes and polls. */
class DueQueueTest {

    private static final class E extends DueQueue.Entry {
        final String key;

        E(String key) {
            this.key = key;
        }

        @Override
        String key() {
            return key;
        }
    }

    private static final Comparator<E> ORDER = Comparator.<E>comparingLong(e -> e.due).thenComparing(e -> e.key);

    @Test
    void ordersLikeASortedSetThroughRandomAddsRemovesAndPolls() {
        Random rnd = new Random(42);
        DueQueue<E> q = new DueQueue<>();
        TreeSet<E> model = new TreeSet<>(ORDER);
        List<E> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            all.add(new E("k" + i));
        }
        for (int step = 0; step < 20_000; step++) {
            E e = all.get(rnd.nextInt(all.size()));
            switch (rnd.nextInt(4)) {
                case 0, 1 -> {
                    if (!e.queued()) {
                        e.due = rnd.nextInt(50);   // many equal due times: the key breaks ties
                        q.add(e);
                        model.add(e);
                    }
                }
                case 2 -> {
                    q.remove(e);
                    model.remove(e);
                    assertThat(e.queued()).isFalse();
                }
                default -> {
                    E got = q.pollFirst();
                    E want = model.pollFirst();
                    assertThat(got).isSameAs(want);
                    if (got != null) {
                        assertThat(got.queued()).isFalse();
                    }
                }
            }
            assertThat(q.size()).isEqualTo(model.size());
            assertThat(q.first()).isSameAs(model.isEmpty() ? null : model.first());
        }
        while (!model.isEmpty()) {
            assertThat(q.pollFirst()).isSameAs(model.pollFirst());
        }
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.pollFirst()).isNull();
    }
}
