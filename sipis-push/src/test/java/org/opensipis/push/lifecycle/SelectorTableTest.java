package org.opensipis.push.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SelectorTableTest {

    /** An element that knows its selector, as the life cycle's tracked instances do. */
    private record Item(String selector, int version) {
    }

    private static SelectorTable<Item> table() {
        return new SelectorTable<>(Item::selector);
    }

    @Test
    void getPutRemoveLikeAMap() {
        SelectorTable<Item> t = table();
        assertThat(t.get("A")).isNull();
        assertThat(t.put(new Item("A", 1))).isNull();
        assertThat(t.put(new Item("A", 2))).isEqualTo(new Item("A", 1));
        assertThat(t.get("A")).isEqualTo(new Item("A", 2));
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.remove("B")).isNull();
        assertThat(t.remove("A")).isEqualTo(new Item("A", 2));
        assertThat(t.get("A")).isNull();
        assertThat(t.size()).isZero();
    }

    /** Random operations on keys that collide a lot (a small key space), checked against a HashMap after each. */
    @Test
    void agreesWithAHashMapUnderRandomOperations() {
        Random random = new Random(42);
        SelectorTable<Item> t = table();
        Map<String, Item> expected = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            keys.add(String.format("%08X:%d", i * 2_654_435_761L & 0xFFFF_FFFFL, i % 7));
        }
        for (int step = 0; step < 200_000; step++) {
            String k = keys.get(random.nextInt(step < 100_000 ? keys.size() : 300));
            switch (random.nextInt(3)) {
                case 0 -> assertThat(t.put(new Item(k, step))).isEqualTo(expected.put(k, new Item(k, step)));
                case 1 -> assertThat(t.remove(k)).isEqualTo(expected.remove(k));
                default -> assertThat(t.get(k)).isEqualTo(expected.get(k));
            }
            assertThat(t.size()).isEqualTo(expected.size());
        }
        for (String k : keys) {
            assertThat(t.get(k)).isEqualTo(expected.get(k));
        }
    }

    @Test
    void growsAndShrinksBackWhenEmptied() {
        SelectorTable<Item> t = table();
        for (int i = 0; i < 100_000; i++) {
            t.put(new Item("S" + i, i));
        }
        assertThat(t.size()).isEqualTo(100_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(t.get("S" + i).version()).isEqualTo(i);
        }
        for (int i = 0; i < 100_000; i++) {
            assertThat(t.remove("S" + i)).isNotNull();
        }
        assertThat(t.size()).isZero();
        assertThat(t.get("S1")).isNull();
        t.put(new Item("again", 1));
        assertThat(t.get("again").version()).isEqualTo(1);
    }
}
