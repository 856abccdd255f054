package org.opensipis.core.shard;

import java.util.Objects;
import java.util.Optional;

/**
 * Selectors {@code s} with {@code lower <= s < upper} under byte-wise comparison of upper-case
 * selectors (PostgreSQL {@code COLLATE "C"}); an empty upper bound means no upper limit.
 * Lets the store load a shard with index range scans.
 */
public record SelectorRange(String lower, Optional<String> upper) {

    public static final SelectorRange ALL = new SelectorRange("", Optional.empty());

    public SelectorRange {
        Objects.requireNonNull(lower, "lower");
        Objects.requireNonNull(upper, "upper");
    }

    public boolean contains(String selector) {
        return selector.compareTo(lower) >= 0 && upper.map(u -> selector.compareTo(u) < 0).orElse(true);
    }
}
