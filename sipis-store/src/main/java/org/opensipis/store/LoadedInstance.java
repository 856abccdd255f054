package org.opensipis.store;

import java.util.Objects;
import java.util.Optional;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;

/**
 * One instance of this process's shard as loaded at start-up: what the app registered and,
 * if this server name wrote one before, the last runtime state (to continue with the same
 * Call-ID and the next CSeq).
 */
public record LoadedInstance(InstanceRecord record, Optional<InstanceState> state) {
    public LoadedInstance {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(state, "state");
    }
}
