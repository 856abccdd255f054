package org.opensipis.server.plan;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.shard.Lb2Settings;

/** {@code sipis plan --from OLD_LB2 --to NEW_LB2}: reads both files, checks them, prints the moves. */
final class RebalanceCommand {

    static final int OK = 0;
    static final int INVALID = 3;

    private RebalanceCommand() {
    }

    static int run(Path from, Path to, PrintWriter out, PrintWriter err) {
        Lb2Settings before;
        Lb2Settings after;
        try {
            Lb2Loader.Loaded a = Lb2Loader.load(from);
            Lb2Loader.Loaded b = Lb2Loader.load(to);
            a.warnings().forEach(w -> err.println("sipis plan: " + w));
            b.warnings().forEach(w -> err.println("sipis plan: " + w));
            before = a.settings();
            after = b.settings();
        } catch (SettingsException e) {
            err.println("sipis plan: " + e.getMessage());
            err.flush();
            return INVALID;
        }
        int bits = Math.max(Ownership.longestPrefix(before), Ownership.longestPrefix(after));
        Ownership o;
        Ownership n;
        try {
            o = Ownership.of(before, bits);
            n = Ownership.of(after, bits);
        } catch (IllegalArgumentException e) {
            err.println("sipis plan: " + from + ", " + to + ": " + e.getMessage());
            err.flush();
            return INVALID;
        }
        if (!o.errors().isEmpty() || !n.errors().isEmpty()) {
            err.println("sipis plan: refusing to plan: every selector needs exactly one owner in both files");
            o.errors().forEach(e -> err.println("  " + e));
            n.errors().forEach(e -> err.println("  " + e));
            err.flush();
            return INVALID;
        }
        Rebalance r = Rebalance.of(o, n);
        List<Rebalance.Step> order = r.order();
        List<String> problems = r.check(order);
        if (!problems.isEmpty()) {
            err.println("sipis plan: the order of reloads would break ownership (a bug; please report it):");
            problems.forEach(p -> err.println("  " + p));
            err.flush();
            return INVALID;
        }
        out.print(RebalanceReport.render(r, order));
        out.flush();
        return OK;
    }
}
