package org.opensipis.store;

import java.util.List;
import java.util.Objects;
import org.opensipis.core.instance.InstanceRecord;

/**
 * A batch of registration changes made by any process, as read by one set-based query: the
 * current records of changed instances this process's shard owns (secrets opened), and the
 * selectors of deleted instances in the shard's ranges. A change may be delivered more than
 * once; a deletion may name a selector this process never held.
 */
public record RegistrationChanges(List<InstanceRecord> changed, List<String> deleted) {
    public RegistrationChanges {
        changed = List.copyOf(Objects.requireNonNull(changed, "changed"));
        deleted = List.copyOf(Objects.requireNonNull(deleted, "deleted"));
    }

    public boolean isEmpty() {
        return changed.isEmpty() && deleted.isEmpty();
    }

    public int size() {
        return changed.size() + deleted.size();
    }
}
