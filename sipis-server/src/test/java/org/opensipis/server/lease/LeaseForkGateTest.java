package org.opensipis.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.opensipis.server.lease.LeaseForkGate.Holding;
import org.opensipis.sip.call.ForkGate.Verdict;

/**
 * The decision of who pushes a forked call, with hand-written fakes of the holding and the
 * claims table: the holder pushes without asking the database, a process without the lease
 * declines, two processes that both see the instance as contested push it exactly once.
 */
class LeaseForkGateTest {

    /** The claims table: first claim wins. */
    private final Map<String, String> table = new ConcurrentHashMap<>();
    private final List<String> asked = new ArrayList<>();
    private final LeaseForkGate.Claims claims = (key, owner) -> {
        asked.add(owner + " " + key);
        return table.computeIfAbsent(key, k -> owner);
    };
    /** Claims run at once on the caller's thread in the test. */
    private final Executor direct = Runnable::run;

    private static Verdict verdict(LeaseForkGate gate, String selector, String key) {
        return gate.invite(selector, key).toCompletableFuture().join();
    }

    @Test
    void theHolderPushesWithoutTheDatabase() {
        LeaseForkGate gate = new LeaseForkGate("S1", s -> Holding.HELD, claims, direct);
        assertThat(verdict(gate, "AB", "c1|t|1").push()).isTrue();
        assertThat(asked).isEmpty();
        assertThat(gate.takesMessages("AB")).isTrue();
    }

    @Test
    void aProcessWithoutTheLeaseDeclinesWithoutPushing() {
        LeaseForkGate gate = new LeaseForkGate("S1", s -> Holding.NOT_HELD, claims, direct);
        Verdict v = verdict(gate, "AB", "c1|t|1");
        assertThat(v.push()).isFalse();
        assertThat(v.reason()).contains("S1 does not hold the lease");
        assertThat(asked).isEmpty();
        assertThat(gate.takesMessages("AB")).isFalse();
    }

    @Test
    void twoContestedProcessesPushACallExactlyOnceWhicheverClaimsFirst() {
        LeaseForkGate loser = new LeaseForkGate("S3", s -> Holding.CONTESTED, claims, direct);
        LeaseForkGate gainer = new LeaseForkGate("S2", s -> Holding.CONTESTED, claims, direct);
        for (int i = 0; i < 20; i++) {
            String key = "c" + i + "|t|1";
            boolean gainerFirst = i % 2 == 0;
            Verdict first = verdict(gainerFirst ? gainer : loser, "AB", key);
            Verdict second = verdict(gainerFirst ? loser : gainer, "AB", key);
            assertThat(first.push()).isTrue();
            assertThat(second.push()).isFalse();
            assertThat(second.reason()).isEqualTo("pushed by " + (gainerFirst ? "S2" : "S3"));
        }
        // a retransmission at the winner is still its own
        assertThat(verdict(gainer, "AB", "c0|t|1").push()).isTrue();
    }

    @Test
    void aContestedProcessAloneOnTheInstancePushes() {
        LeaseForkGate gate = new LeaseForkGate("S2", s -> Holding.CONTESTED, claims, direct);
        assertThat(verdict(gate, "AB", "c1|t|1").push()).isTrue();
        assertThat(asked).containsExactly("S2 c1|t|1");
    }

    @Test
    void whenTheClaimCannotBeMadeTheCallIsPushed() {
        LeaseForkGate failing = new LeaseForkGate("S2", s -> Holding.CONTESTED, (k, o) -> {
            throw new org.opensipis.store.StoreException("database unavailable", null);
        }, direct);
        assertThat(verdict(failing, "AB", "c1|t|1").push()).isTrue();
        LeaseForkGate full = new LeaseForkGate("S2", s -> Holding.CONTESTED, claims, r -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        });
        assertThat(verdict(full, "AB", "c2|t|1").push()).isTrue();
    }

    @Test
    void aForkedMessageIsClaimedLikeAnInviteAndStoredByOneProcess() {
        LeaseForkGate loser = new LeaseForkGate("S3", s -> Holding.CONTESTED, claims, direct);
        LeaseForkGate gainer = new LeaseForkGate("S2", s -> Holding.CONTESTED, claims, direct);
        assertThat(gainer.message("AB", "m1|t|1").toCompletableFuture().join().push()).isTrue();
        Verdict other = loser.message("AB", "m1|t|1").toCompletableFuture().join();
        assertThat(other.push()).isFalse();
        assertThat(other.reason()).isEqualTo("pushed by S2");
        // held outright: no claim; not held: declined (the call side answers 404 before asking)
        LeaseForkGate holder = new LeaseForkGate("S1", s -> Holding.HELD, claims, direct);
        assertThat(holder.message("AB", "m2|t|1").toCompletableFuture().join().push()).isTrue();
        assertThat(asked).containsExactly("S2 m1|t|1", "S3 m1|t|1");
    }

    private static final java.net.InetSocketAddress S3_AT = new java.net.InetSocketAddress("127.0.0.1", 5071);

    @Test
    void aCallClaimedByTheLoserAndSentFromItsAnnouncedAddressIsTakenInWithoutAPush() {
        java.util.function.Function<String, java.util.Optional<String>> addresses =
                n -> n.equals("S3") ? java.util.Optional.of("127.0.0.1:5071") : java.util.Optional.empty();
        LeaseForkGate loser = new LeaseForkGate("S3", s -> Holding.CONTESTED, claims, addresses, direct);
        LeaseForkGate gainer = new LeaseForkGate("S2", s -> Holding.CONTESTED, claims, addresses, direct);
        // the loser pushed it while it held the instance outright: the hand-over writes the claim
        loser.handingOver("AB", "c1|t|1").toCompletableFuture().join();
        assertThat(table).containsEntry("c1|t|1", "S3");

        Verdict v = gainer.invite("AB", "c1|t|1", S3_AT).toCompletableFuture().join();
        assertThat(v.isHandOver()).isTrue();
        assertThat(v.push()).isFalse();
        assertThat(v.handedOverBy()).isEqualTo("S3");
        // the same call from the proxy (a forked branch), or from another port of the loser's host: declined
        Verdict fork = gainer.invite("AB", "c1|t|1", new java.net.InetSocketAddress("127.0.0.1", 5060))
                .toCompletableFuture().join();
        assertThat(fork.isHandOver()).isFalse();
        assertThat(fork.reason()).isEqualTo("pushed by S3");
        assertThat(gainer.invite("AB", "c1|t|1", null).toCompletableFuture().join().isHandOver()).isFalse();
        // a process that announced no address hands nothing over
        table.put("c2|t|1", "S9");
        assertThat(gainer.invite("AB", "c2|t|1", S3_AT).toCompletableFuture().join().isHandOver()).isFalse();
    }

    @Test
    void aHandOverWhoseClaimCannotBeQueuedFails() {
        LeaseForkGate full = new LeaseForkGate("S3", s -> Holding.CONTESTED, claims, r -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        });
        assertThat(full.handingOver("AB", "c1|t|1").toCompletableFuture()).isCompletedExceptionally();
    }

    // ---- when an instance is contested (Rebalancer.holding) ----

    private static final String IN_4 = "4" + "A".repeat(31);
    private static final String IN_0 = "1" + "B".repeat(31);

    private static HeldLease lease(String prefix, String releasedTo) {
        return new HeldLease(org.opensipis.core.shard.SelectorPrefix.parse(prefix), 7, Long.MAX_VALUE,
                java.util.Optional.ofNullable(releasedTo), java.util.Optional.empty());
    }

    @Test
    void anInstanceUnderALeaseHeldOutrightIsHeld() {
        assertThat(Rebalancer.holding(IN_4, List.of(), java.util.Optional.of(lease("0/1", null)), List.of(), 0))
                .isEqualTo(Holding.HELD);
    }

    @Test
    void theLoserContestsFromTheReleaseUntilItHasHandedTheInstanceOver() {
        // released to the gainer, not yet taken
        assertThat(Rebalancer.holding(IN_4, List.of(), java.util.Optional.of(lease("4/2", "S3")), List.of(), 0))
                .isEqualTo(Holding.CONTESTED);
        // taken: no lease left, but the instance is still ours until the gainer's 200 is seen
        assertThat(Rebalancer.holding(IN_4, List.of(java.util.Set.of(IN_4)), java.util.Optional.empty(), List.of(), 0))
                .isEqualTo(Holding.CONTESTED);
        // handed over
        assertThat(Rebalancer.holding(IN_4, List.of(java.util.Set.of()), java.util.Optional.empty(), List.of(), 0))
                .isEqualTo(Holding.NOT_HELD);
    }

    @Test
    void theGainerContestsItsGainedPrefixForElevenMinutes() {
        List<Rebalancer.Gain> gains = List.of(new Rebalancer.Gain(org.opensipis.core.shard.SelectorPrefix.parse("4/2"), 1_000));
        java.util.Optional<HeldLease> held = java.util.Optional.of(lease("0/1", null));
        assertThat(Rebalancer.holding(IN_4, List.of(), held, gains, 1_000)).isEqualTo(Holding.CONTESTED);
        assertThat(Rebalancer.holding(IN_0, List.of(), held, gains, 1_000)).as("not in the gained prefix").isEqualTo(Holding.HELD);
        long end = 1_000 + Rebalancer.CONTESTED_AFTER_GAIN_MILLIS;
        assertThat(Rebalancer.CONTESTED_AFTER_GAIN_MILLIS).isGreaterThan(Rebalancer.HAND_OVER_LIMIT_MILLIS);
        assertThat(Rebalancer.holding(IN_4, List.of(), held, gains, end - 1)).isEqualTo(Holding.CONTESTED);
        assertThat(Rebalancer.holding(IN_4, List.of(), held, gains, end)).isEqualTo(Holding.HELD);
    }

    @Test
    void anInstanceWithoutALeaseIsNotHeld() {
        assertThat(Rebalancer.holding(IN_4, List.of(), java.util.Optional.empty(), List.of(), 0)).isEqualTo(Holding.NOT_HELD);
    }
}
