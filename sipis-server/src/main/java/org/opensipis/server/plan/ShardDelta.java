package org.opensipis.server.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;

/**
 * What one process keeps, gains and loses when its LB2 file changes: the same cell-by-cell
 * comparison as {@code sipis plan --from OLD --to NEW} ({@link Ownership}, {@link Rebalance}),
 * seen from one {@code Server[Name]}. A running process applies it on reload.
 *
 * @param kept   prefixes the process owns in both files
 * @param gained prefixes it owns only in the new file, with the process that owned them
 * @param lost   prefixes it owns only in the old file, with the process that owns them now
 */
public record ShardDelta(List<SelectorPrefix> kept, Map<SelectorPrefix, String> gained, Map<SelectorPrefix, String> lost) {

    public ShardDelta {
        kept = List.copyOf(kept);
        gained = Map.copyOf(gained);
        lost = Map.copyOf(lost);
    }

    public boolean isEmpty() {
        return gained.isEmpty() && lost.isEmpty();
    }

    /** Every prefix the process owns under the new file. */
    public List<SelectorPrefix> owned() {
        List<SelectorPrefix> out = new ArrayList<>(kept);
        out.addAll(gained.keySet());
        return out;
    }

    /**
     * Compares the two files for {@code name}.
     *
     * @throws IllegalArgumentException naming file, line and prefix when either file leaves a
     *                                  selector without an owner or gives it two (the reload is refused)
     */
    public static ShardDelta of(Lb2Settings before, Lb2Settings after, String name) {
        Objects.requireNonNull(name, "name");
        int bits = Math.max(Ownership.longestPrefix(before), Ownership.longestPrefix(after));
        Ownership o = Ownership.of(before, bits);
        Ownership n = Ownership.of(after, bits);
        List<String> errors = new ArrayList<>(o.errors());
        errors.addAll(n.errors());
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        Rebalance r = Rebalance.of(o, n);
        Map<SelectorPrefix, String> gained = new LinkedHashMap<>();
        Map<SelectorPrefix, String> lost = new LinkedHashMap<>();
        for (Rebalance.Move m : r.moves()) {
            boolean to = m.to().name().equals(name);
            boolean from = m.from().name().equals(name);
            if (to == from) {
                continue; // another pair, or the same name at a new address
            }
            for (String p : m.prefixes()) {
                (to ? gained : lost).put(parse(p), to ? m.from().name() : m.to().name());
            }
        }
        List<SelectorPrefix> kept = new ArrayList<>();
        int c = 0;
        while (c < o.size()) {
            boolean mine = name.equals(o.owner(c).name()) && name.equals(n.owner(c).name());
            int start = c;
            while (c < o.size() && mine == (name.equals(o.owner(c).name()) && name.equals(n.owner(c).name()))) {
                c++;
            }
            if (mine) {
                for (String p : Ownership.prefixes(start, c, bits)) {
                    kept.add(parse(p));
                }
            }
        }
        return new ShardDelta(kept, gained, lost);
    }

    /** {@code Ownership}'s {@code HEX/BITS}, or "(all selectors)". */
    private static SelectorPrefix parse(String p) {
        return p.startsWith("(") ? SelectorPrefix.ALL : SelectorPrefix.parse(p);
    }
}
