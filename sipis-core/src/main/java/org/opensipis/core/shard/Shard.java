package org.opensipis.core.shard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which instances one SIPIS process owns. With
 * {@code FilterInstancesAccordingToLoadBalancer2BackendSection="Yes"}, an instance (selector
 * and app id) belongs to this process iff the <em>first</em> LB2 Backend entry, in file order,
 * that matches it carries this process's {@code Server[Name]} — exactly where LB2 routes the
 * app. With {@code "No"} the process owns every instance.
 */
public final class Shard {

    private final String serverName;
    private final boolean filtered;
    private final List<Backend> backends;

    private Shard(String serverName, boolean filtered, List<Backend> backends) {
        this.serverName = Objects.requireNonNull(serverName, "serverName");
        this.filtered = filtered;
        this.backends = List.copyOf(backends);
    }

    public static Shard all(String serverName) {
        return new Shard(serverName, false, List.of());
    }

    public static Shard filtered(String serverName, List<Backend> backends) {
        return new Shard(serverName, true, backends);
    }

    public String serverName() {
        return serverName;
    }

    public boolean isFiltered() {
        return filtered;
    }

    /** Whether this process owns the instance; {@code appId} may be null when unknown. */
    public boolean owns(String selector, String appId) {
        if (!filtered) {
            return true;
        }
        String s = selector.toUpperCase(java.util.Locale.ROOT);
        for (Backend b : backends) {
            if (b.matches(s, appId)) {
                return b.name().map(serverName::equals).orElse(false);
            }
        }
        return false;
    }

    /** The backend entries naming this process, in file order. */
    public List<Backend> ownEntries() {
        List<Backend> out = new ArrayList<>();
        for (Backend b : backends) {
            if (b.name().map(serverName::equals).orElse(false)) {
                out.add(b);
            }
        }
        return out;
    }

    /** True when filtering is on and no entry names this process: a registration-only server. */
    public boolean isEmpty() {
        return filtered && ownEntries().isEmpty();
    }

    /**
     * Selector ranges that cover every selector this process may own (a superset when app-id
     * prefixes or earlier entries shadow part of a range; check {@link #owns} on each row).
     * Overlapping ranges are merged; the list is sorted.
     */
    public List<SelectorRange> ranges() {
        if (!filtered) {
            return List.of(SelectorRange.ALL);
        }
        List<SelectorRange> raw = new ArrayList<>();
        for (Backend b : ownEntries()) {
            raw.add(new SelectorRange(b.selectorPrefix().lowerBound(), b.selectorPrefix().upperBound()));
        }
        raw.sort(Comparator.comparing(SelectorRange::lower));
        List<SelectorRange> merged = new ArrayList<>();
        for (SelectorRange r : raw) {
            if (!merged.isEmpty()) {
                SelectorRange last = merged.get(merged.size() - 1);
                boolean touches = last.upper().map(u -> r.lower().compareTo(u) <= 0).orElse(true);
                if (touches) {
                    Optional<String> upper = last.upper().isEmpty() || r.upper().isEmpty() ? Optional.empty()
                            : Optional.of(last.upper().get().compareTo(r.upper().get()) >= 0 ? last.upper().get() : r.upper().get());
                    merged.set(merged.size() - 1, new SelectorRange(last.lower(), upper));
                    continue;
                }
            }
            merged.add(r);
        }
        return List.copyOf(merged);
    }

    /** e.g. {@code Sipis3: 8/2} or {@code Sipis: all selectors}. */
    @Override
    public String toString() {
        if (!filtered) {
            return serverName + ": all selectors (FilterInstancesAccordingToLoadBalancer2BackendSection=No)";
        }
        List<String> parts = new ArrayList<>();
        for (Backend b : ownEntries()) {
            String p = b.selectorPrefix().isAll() ? "*" : b.selectorPrefix().toString();
            parts.add(b.appIdPrefix().isEmpty() ? p : p + " (app id " + b.appIdPrefix() + "*)");
        }
        return serverName + ": " + (parts.isEmpty() ? "no selectors (registration server only)" : String.join(", ", parts));
    }
}
