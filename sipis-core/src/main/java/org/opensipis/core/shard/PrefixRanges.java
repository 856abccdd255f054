package org.opensipis.core.shard;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Selector prefixes as ranges of the selector space, with bounds padded to a fixed width so
 * that plain string comparison ({@code COLLATE "C"} in the database) orders them exactly:
 * unpadded, {@code "8"} and {@code "80"} are the same position but compare unequal.
 */
public final class PrefixRanges {

    /** Hex digits of a padded bound: 256 bits, the longest selector prefix. */
    public static final int WIDTH = 64;

    private PrefixRanges() {
    }

    /** The inclusive lower bound of {@code p}, padded. */
    public static String lower(SelectorPrefix p) {
        return pad(p.lowerBound());
    }

    /** The exclusive upper bound of {@code p}, padded; empty when it runs to the end. */
    public static Optional<String> upper(SelectorPrefix p) {
        return p.upperBound().map(PrefixRanges::pad);
    }

    private static String pad(String hex) {
        return hex.length() >= WIDTH ? hex : hex + "0".repeat(WIDTH - hex.length());
    }

    /** Whether the two prefixes share a selector. */
    public static boolean overlap(SelectorPrefix a, SelectorPrefix b) {
        return below(lower(a), upper(b)) && below(lower(b), upper(a));
    }

    /** Whether every selector of {@code p} is in one of {@code held}. */
    public static boolean covered(SelectorPrefix p, Collection<SelectorPrefix> held) {
        List<SelectorPrefix> sorted = new ArrayList<>(held);
        sorted.sort(Comparator.comparing(PrefixRanges::lower));
        String cur = lower(p);
        Optional<String> end = upper(p);
        for (SelectorPrefix h : sorted) {
            if (end.isPresent() && cur.compareTo(end.get()) >= 0) {
                return true;
            }
            if (lower(h).compareTo(cur) <= 0 && below(cur, upper(h))) {
                Optional<String> u = upper(h);
                if (u.isEmpty()) {
                    return true;
                }
                cur = u.get();
            }
        }
        return end.isPresent() && cur.compareTo(end.get()) >= 0;
    }

    /** {@code x < upper}, with an empty upper meaning the end of the space. */
    private static boolean below(String x, Optional<String> upper) {
        return upper.isEmpty() || x.compareTo(upper.get()) < 0;
    }
}
