package org.opensipis.server.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.opensipis.server.plan.Ownership.Owner;

/**
 * The move from one LB2 Backend table to another: which selector ranges change owner, the order
 * in which processes take them (gainers register first, then losers drop: make before break),
 * and an exhaustive check that every selector has an owner at every step and two only inside
 * the named make-before-break windows.
 */
public final class Rebalance {

    /** Selectors {@code prefixes} move from {@code from} to {@code to}. */
    public record Move(List<String> prefixes, Owner from, Owner to) {
        public Move {
            prefixes = List.copyOf(prefixes);
        }
    }

    /** What a process does in one step. */
    public enum Kind { REGISTER, DROP }

    /** One step of the order: {@code process} registers the ranges it gains, or drops the ranges it loses. */
    public record Step(Kind kind, Owner process) {
        public Step {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(process, "process");
        }
    }

    /** Steps {@code opens}..{@code closes} (1-based) during which {@code from} and {@code to} both hold {@code move}'s selectors. */
    public record Window(Move move, int opens, int closes) {
    }

    private static final Comparator<Owner> BY_NAME =
            Comparator.comparing(Owner::name).thenComparing(o -> o.address().toString());

    private final Ownership before;
    private final Ownership after;
    private final List<Move> moves;

    private Rebalance(Ownership before, Ownership after) {
        this.before = before;
        this.after = after;
        this.moves = computeMoves();
    }

    /**
     * @throws IllegalArgumentException when the two maps differ in granularity or either has a gap or an overlap
     */
    public static Rebalance of(Ownership before, Ownership after) {
        if (before.bits() != after.bits()) {
            throw new IllegalArgumentException("compare both files at the same granularity");
        }
        if (!before.errors().isEmpty() || !after.errors().isEmpty()) {
            throw new IllegalArgumentException("every selector must have exactly one owner in both files");
        }
        return new Rebalance(before, after);
    }

    public Ownership before() {
        return before;
    }

    public Ownership after() {
        return after;
    }

    public List<Move> moves() {
        return moves;
    }

    private List<Move> computeMoves() {
        Map<List<Owner>, List<String>> byPair = new LinkedHashMap<>();
        int n = before.size();
        int c = 0;
        while (c < n) {
            Owner o = before.owner(c);
            Owner w = after.owner(c);
            int start = c;
            while (c < n && o.equals(before.owner(c)) && w.equals(after.owner(c))) {
                c++;
            }
            if (!o.equals(w)) {
                byPair.computeIfAbsent(List.of(o, w), k -> new ArrayList<>())
                        .addAll(Ownership.prefixes(start, c, before.bits()));
            }
        }
        List<Move> out = new ArrayList<>();
        byPair.forEach((pair, prefixes) -> out.add(new Move(prefixes, pair.get(0), pair.get(1))));
        return List.copyOf(out);
    }

    /** The order: every gaining process registers (by name), then every losing process drops (by name). */
    public List<Step> order() {
        Set<Owner> gainers = new TreeSet<>(BY_NAME);
        Set<Owner> losers = new TreeSet<>(BY_NAME);
        for (Move m : moves) {
            gainers.add(m.to());
            losers.add(m.from());
        }
        List<Step> steps = new ArrayList<>();
        gainers.forEach(g -> steps.add(new Step(Kind.REGISTER, g)));
        losers.forEach(l -> steps.add(new Step(Kind.DROP, l)));
        return List.copyOf(steps);
    }

    /** The windows of {@code order}: from the gainer's REGISTER step to the loser's DROP step. */
    public List<Window> windows(List<Step> order) {
        List<Window> out = new ArrayList<>();
        for (Move m : moves) {
            int opens = order.indexOf(new Step(Kind.REGISTER, m.to())) + 1;
            int closes = order.indexOf(new Step(Kind.DROP, m.from())) + 1;
            if (opens > 0 && closes > opens) {
                out.add(new Window(m, opens, closes));
            }
        }
        out.sort(Comparator.comparingInt(Window::opens).thenComparingInt(Window::closes));
        return out;
    }

    /**
     * Walks {@code order} over every selector cell: after each step every cell must have an owner
     * (a gap means a loser dropped before its gainer registered), two owners are allowed only
     * for a moving range between its gainer's and its loser's steps, and after the last step
     * the owners must be exactly those of the new file.
     *
     * @return the problems, one per step and range; empty when the order is safe
     */
    public List<String> check(List<Step> order) {
        List<String> problems = new ArrayList<>();
        Set<Owner> registered = new LinkedHashSet<>();
        Set<Owner> dropped = new LinkedHashSet<>();
        for (int i = 0; i < order.size(); i++) {
            Step s = order.get(i);
            (s.kind() == Kind.REGISTER ? registered : dropped).add(s.process());
            String when = "after step " + (i + 1) + " (" + describe(s) + ")";
            scan(registered, dropped, false, when, problems);
        }
        scan(registered, dropped, true, order.isEmpty() ? "with no step" : "after the last step", problems);
        return problems;
    }

    private void scan(Set<Owner> registered, Set<Owner> dropped, boolean last, String when, List<String> problems) {
        int n = before.size();
        int c = 0;
        while (c < n) {
            String problem = problemAt(c, registered, dropped, last);
            int start = c;
            c++;
            while (problem != null && c < n && problem.equals(problemAt(c, registered, dropped, last))) {
                c++;
            }
            if (problem != null) {
                problems.add(when + ": " + String.join(", ", Ownership.prefixes(start, c, before.bits())) + " " + problem);
            }
        }
    }

    private String problemAt(int c, Set<Owner> registered, Set<Owner> dropped, boolean last) {
        Owner o = before.owner(c);
        Owner w = after.owner(c);
        if (o.equals(w)) {
            return null;
        }
        boolean oldHolds = !dropped.contains(o);
        boolean newHolds = registered.contains(w);
        if (!oldHolds && !newHolds) {
            return "have no owner: " + o + " dropped them before " + w + " registered them";
        }
        if (last && oldHolds && newHolds) {
            return "are still held by both " + o + " and " + w + ": the window never closes";
        }
        if (last && oldHolds) {
            return "are still held by " + o + " but belong to " + w + ", which never registered them";
        }
        return null;
    }

    /** e.g. {@code Sipis5 (127.0.0.1:14958) registers 2/3 (from Sipis1)}. */
    public String describe(Step s) {
        List<String> parts = new ArrayList<>();
        for (Move m : moves) {
            if (s.kind() == Kind.REGISTER && m.to().equals(s.process())) {
                parts.add(String.join(", ", m.prefixes()) + " (from " + m.from() + ")");
            } else if (s.kind() == Kind.DROP && m.from().equals(s.process())) {
                parts.add(String.join(", ", m.prefixes()) + " (once " + m.to() + " has its 200 OK)");
            }
        }
        String verb = s.kind() == Kind.REGISTER ? "registers " : "drops ";
        return s.process() + " " + verb + (parts.isEmpty() ? "nothing" : String.join("; ", parts));
    }
}
