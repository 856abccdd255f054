package org.opensipis.server.lease;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.core.shard.Shard;
import org.opensipis.server.plan.ShardDelta;

/** What a process owns, and stands by for, in an LB2 file. Stateless. */
final class LeaseShards {

    private LeaseShards() {
    }

    /** The process after {@code owner} in the file (distinct names in file order, the first after the last); null if none. */
    static String next(Lb2Settings lb2, String owner) {
        List<String> names = new ArrayList<>();
        for (Backend b : lb2.backends()) {
            b.name().filter(n -> !names.contains(n)).ifPresent(names::add);
        }
        int i = names.indexOf(owner);
        return i < 0 || names.size() < 2 ? null : names.get((i + 1) % names.size());
    }

    /** The prefixes the shard's server owns in the file; every selector without a filtered shard or a file. */
    static List<SelectorPrefix> owned(Shard shard, Optional<Lb2Settings> lb2) {
        if (!shard.isFiltered() || lb2.isEmpty()) {
            return List.of(SelectorPrefix.ALL);
        }
        return ShardDelta.of(lb2.get(), lb2.get(), shard.serverName()).kept();
    }

    /** The shard with the prefixes taken over from failed processes first. */
    static Shard withTakenOver(String name, Shard shard, List<SelectorPrefix> taken, Optional<Lb2Settings> lb2) {
        if (taken.isEmpty()) {
            return shard;
        }
        List<Backend> entries = new ArrayList<>();
        for (SelectorPrefix p : taken) {
            entries.add(new Backend(Optional.of(name), p, "", HostPort.parse("127.0.0.1:1"),
                    java.nio.file.Path.of("(taken over)"), 0));
        }
        lb2.ifPresent(l -> entries.addAll(l.backends()));
        return Shard.filtered(shard.serverName(), entries);
    }
}
