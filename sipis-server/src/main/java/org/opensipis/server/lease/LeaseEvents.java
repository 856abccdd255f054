package org.opensipis.server.lease;

import org.opensipis.core.shard.SelectorPrefix;

/** What the {@link LeaseKeeper} tells the rest of the process; called on the lease thread, may block briefly. */
interface LeaseEvents {

    /** A prefix was taken (at start, on a reload, from a loser or a lapsed holder): load and register its instances. */
    void gained(SelectorPrefix prefix, String previousOwner);

    /**
     * A prefix this process released to {@code gainer} (at {@code releasedAt}, database time) was
     * taken by it: hand its instances over as the gainer registers them.
     */
    void handedOver(SelectorPrefix prefix, String gainer, java.time.Instant releasedAt);

    /** A prefix was lost without a hand-over (renewal failed past the deadline, or another holder took it). */
    void lost(SelectorPrefix prefix);

    /** After every round of the lease thread (every quarter second): follow hand-overs under way. */
    default void tick() {
    }
}
