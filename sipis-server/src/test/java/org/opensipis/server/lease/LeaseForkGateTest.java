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
}
