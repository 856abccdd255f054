package org.opensipis.server.plan;

import java.util.List;
import java.util.Set;
import org.opensipis.server.plan.Ownership.Owner;
import org.opensipis.server.plan.Rebalance.Kind;
import org.opensipis.server.plan.Rebalance.Move;
import org.opensipis.server.plan.Rebalance.Step;
import org.opensipis.server.plan.Rebalance.Window;

/** The text {@code sipis plan --from OLD --to NEW} prints for a checked rebalance. */
final class RebalanceReport {

    private RebalanceReport() {
    }

    static String render(Rebalance r, List<Step> order) {
        StringBuilder b = new StringBuilder();
        Ownership before = r.before();
        Ownership after = r.after();
        b.append("Rebalance ").append(before.lb2().file()).append(" -> ").append(after.lb2().file()).append('\n');
        b.append("Checked every selector at ").append(before.bits()).append("-bit granularity (")
                .append(before.size()).append(" ranges): exactly one owner in OLD (")
                .append(before.owners().size()).append(" processes) and in NEW (")
                .append(after.owners().size()).append(" processes).\n");
        for (String note : before.notes()) {
            b.append("note: ").append(note).append('\n');
        }
        for (String note : after.notes()) {
            b.append("note: ").append(note).append('\n');
        }
        if (r.moves().isEmpty()) {
            b.append("\nNothing moves: both files give every selector the same owner.\n");
            return b.toString();
        }
        b.append("\nMoves (selectors: losing process -> gaining process):\n");
        for (Move m : r.moves()) {
            b.append("  ").append(String.join(", ", m.prefixes())).append(": ").append(m.from())
                    .append(" -> ").append(m.to()).append('\n');
        }
        b.append("\nOrder (make before break: gainers register first, then losers drop):\n");
        Set<Owner> old = before.owners();
        Set<Owner> neu = after.owners();
        for (int i = 0; i < order.size(); i++) {
            Step s = order.get(i);
            String how = s.kind() == Kind.REGISTER ? (old.contains(s.process()) ? "reload" : "start")
                    : (neu.contains(s.process()) ? "after hand-over" : "after hand-over, stop");
            b.append("  ").append(i + 1).append(". [").append(how).append("] ").append(r.describe(s)).append('\n');
        }
        b.append("\nMake-before-break windows (the only time two processes register the same selectors):\n");
        for (Window w : r.windows(order)) {
            b.append("  ").append(String.join(", ", w.move().prefixes())).append(": ").append(w.move().from())
                    .append(" and ").append(w.move().to()).append(" from step ").append(w.opens())
                    .append(" to step ").append(w.closes()).append('\n');
        }
        b.append("\nChecked: every selector has exactly one owner before step 1, after every step outside the"
                + " windows above, and after step ").append(order.size()).append(".\n");
        b.append("Today (no live hand-over yet): install NEW on every machine, reload LoadBalancer2, and restart"
                + " the processes named above, gainers first (docs/operate.md, \"Rebalancing a running installation\").\n");
        return b.toString();
    }
}
