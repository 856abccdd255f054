package org.opensipis.server.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;

/**
 * Which SIPIS process owns each selector under one LB2 file, checked exhaustively: the selector
 * space is cut into {@code 2^bits} cells (bits = the longest prefix of the files compared) and
 * every cell must be covered by exactly one named Backend entry. Two entries with the same
 * process covering a cell are fine; two processes are an overlap, no entry is a gap. LB2 and
 * {@link org.opensipis.core.shard.Shard} resolve an overlap by file order, but a plan needs each
 * selector's owner to be plain from its own entry, so overlaps between processes are refused.
 * Entries with an {@code AppIdPrefix} route only some apps and fall through to the rest, so
 * they are listed in {@link #notes()} and left out of the check.
 */
public final class Ownership {

    /** Longest prefix the exhaustive check handles (2^20 cells). */
    public static final int MAX_BITS = 20;

    /** One SIPIS process: its {@code Server[Name]} and the address LB2 routes to. */
    public record Owner(String name, HostPort address) {
        public Owner {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String toString() {
            return name + " (" + address + ")";
        }
    }

    private final Lb2Settings lb2;
    private final int bits;
    private final Owner[] cells;
    private final int[] lines;
    private final List<String> errors = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private Ownership(Lb2Settings lb2, int bits) {
        this.lb2 = lb2;
        this.bits = bits;
        this.cells = new Owner[1 << bits];
        this.lines = new int[1 << bits];
    }

    /** The longest {@code SelectorPrefix} of the entries the check uses, in bits. */
    public static int longestPrefix(Lb2Settings lb2) {
        int max = 0;
        for (Backend b : lb2.backends()) {
            if (b.appIdPrefix().isEmpty()) {
                max = Math.max(max, b.selectorPrefix().bits());
            }
        }
        return max;
    }

    /**
     * Maps every cell of the LB2 file to its owner at {@code bits} granularity.
     *
     * @throws IllegalArgumentException when {@code bits} exceeds {@link #MAX_BITS}
     */
    public static Ownership of(Lb2Settings lb2, int bits) {
        if (bits < 0 || bits > MAX_BITS) {
            throw new IllegalArgumentException("selector prefixes of " + bits + " bits are longer than the "
                    + MAX_BITS + " bits sipis plan checks exhaustively");
        }
        Ownership o = new Ownership(lb2, bits);
        o.fill();
        return o;
    }

    private void fill() {
        Map<String, Backend> addressOf = new LinkedHashMap<>();
        for (Backend b : lb2.backends()) {
            String where = lb2.file() + ":" + b.line();
            if (!b.appIdPrefix().isEmpty()) {
                notes.add(where + ": entry " + b.selectorPrefix() + " with AppIdPrefix \"" + b.appIdPrefix()
                        + "\" routes only some apps; not checked");
                continue;
            }
            if (b.name().isEmpty()) {
                errors.add(where + ": prefix " + label(b.selectorPrefix())
                        + ": the entry has no Name, so no SIPIS process owns these selectors");
                continue;
            }
            Backend first = addressOf.putIfAbsent(b.name().get(), b);
            if (first != null && !first.address().equals(b.address())) {
                errors.add(where + ": prefix " + label(b.selectorPrefix()) + ": process " + b.name().get()
                        + " is at " + b.address() + " here but at " + first.address() + " on line " + first.line()
                        + "; one name is one process");
                continue;
            }
            cover(b, new Owner(b.name().get(), b.address()));
        }
        reportGaps();
    }

    private void cover(Backend b, Owner owner) {
        int p = b.selectorPrefix().bits();
        int from = (int) (value(b.selectorPrefix()) << (bits - p));
        int to = from + (1 << (bits - p));
        int c = from;
        while (c < to) {
            if (cells[c] == null || cells[c].equals(owner)) {
                if (cells[c] == null) {
                    cells[c] = owner;
                    lines[c] = b.line();
                }
                c++;
                continue;
            }
            Owner other = cells[c];
            int otherLine = lines[c];
            int start = c;
            while (c < to && other.equals(cells[c]) && lines[c] == otherLine) {
                c++;
            }
            errors.add(lb2.file() + ":" + b.line() + ": prefix " + label(b.selectorPrefix()) + ": selectors "
                    + String.join(", ", prefixes(start, c, bits)) + " have two owners: " + owner
                    + " here and " + other + " on line " + otherLine + " (LB2 would use line " + otherLine
                    + ", the first in file order; give each selector exactly one entry)");
        }
    }

    private void reportGaps() {
        int n = cells.length;
        for (int c = 0; c < n; c++) {
            if (cells[c] != null) {
                continue;
            }
            int end = c;
            while (end < n && cells[end] == null) {
                end++;
            }
            String near = c > 0 ? "after the entry on line " + lines[c - 1]
                    : end < n ? "before the entry on line " + lines[end] : "the Backend section has no usable entry";
            int line = c > 0 ? lines[c - 1] : end < n ? lines[end] : 0;
            errors.add(lb2.file() + (line > 0 ? ":" + line : "") + ": prefix " + String.join(", ", prefixes(c, end, bits))
                    + ": no Backend entry covers these selectors (" + near + "); they have no owner");
            c = end;
        }
    }

    static long value(SelectorPrefix p) {
        if (p.isAll()) {
            return 0;
        }
        String hex = p.lowerBound();
        return Long.parseLong(hex, 16) >> (hex.length() * 4 - p.bits());
    }

    /** The fewest prefixes ({@code HEX/BITS}) that cover cells {@code [from, to)} of a {@code bits}-bit space. */
    static List<String> prefixes(int from, int to, int bits) {
        List<String> out = new ArrayList<>();
        int a = from;
        while (a < to) {
            int k = 0;
            while (k < bits && (a & ((1 << (k + 1)) - 1)) == 0 && a + (1 << (k + 1)) <= to) {
                k++;
            }
            out.add(format(a >> k, bits - k));
            a += 1 << k;
        }
        return out;
    }

    /** {@code value} as the first {@code p} bits of a selector, e.g. (3, 2) is {@code C/2}; p = 0 is every selector. */
    static String format(long value, int p) {
        if (p == 0) {
            return "(all selectors)";
        }
        int digits = (p + 3) / 4;
        String hex = Long.toHexString(value << (digits * 4 - p)).toUpperCase(Locale.ROOT);
        return "0".repeat(digits - hex.length()) + hex + "/" + p;
    }

    private static String label(SelectorPrefix p) {
        return p.isAll() ? "(all selectors)" : p.toString();
    }

    public Lb2Settings lb2() {
        return lb2;
    }

    public int bits() {
        return bits;
    }

    /** The owner of cell {@code c}, or null in a gap. */
    public Owner owner(int c) {
        return cells[c];
    }

    /** The processes that own at least one selector. */
    public java.util.Set<Owner> owners() {
        java.util.Set<Owner> out = new java.util.LinkedHashSet<>();
        for (Owner o : cells) {
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    public int size() {
        return cells.length;
    }

    /** Gaps and overlaps, each naming file, line and prefix; empty when every selector has exactly one owner. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }
}
