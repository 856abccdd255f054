package org.opensipis.sip.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.sip.owner.ManualOwner;

/** Token buckets and the in-flight cap, on a fake clock. */
class ThrottleTest {

    private final FakeClock clock = new FakeClock();
    private final ManualOwner owner = new ManualOwner(clock);

    @Test
    void globalRateHoldsInEveryWindow() {
        Throttle t = new Throttle(owner, clock, 100, 1000, 10_000);
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            t.submit("h" + (i % 3), () -> grants.add(clock.millis()));
        }
        owner.runReady();
        for (int s = 0; s < 12; s++) {
            owner.advance(Duration.ofSeconds(1));
        }
        assertThat(grants).hasSize(1000 - 0 - (int) (t.queueDepth()));
        int max = 0;
        for (int from = 0, to = 0; to < grants.size(); to++) {
            while (grants.get(to) - grants.get(from) >= 1000) {
                from++;
            }
            max = Math.max(max, to - from + 1);
        }
        assertThat(max).isLessThanOrEqualTo(103);
        assertThat(grants.size()).isGreaterThanOrEqualTo(1000);
    }

    /**
     * A queue is served in batches of up to the bucket's capacity less one (3 at 1,000/s), one
     * wake-up each, not a wake-up per token: the same rate with a third of the wake-ups.
     */
    @Test
    void aQueueIsGrantedInBatchesNotOneWakeUpPerToken() {
        Throttle t = new Throttle(owner, clock, 1000, 1000, 10_000);
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            t.submit("h", () -> grants.add(clock.millis()));
        }
        owner.runReady();
        owner.advance(Duration.ofMillis(999));
        assertThat(grants).hasSizeBetween(995, 1000);
        long wakeUps = grants.stream().distinct().count();
        assertThat(wakeUps).isBetween(330L, 340L);
        assertThat(grants.stream().collect(java.util.stream.Collectors.groupingBy(g -> g, java.util.stream.Collectors.counting()))
                .values()).allMatch(n -> n <= 4);
    }

    /**
     * After a restart every restored binding may be due at once: the throttle serves the ones
     * that lapse soonest first (and registrations with no binding, due now, before them all),
     * in submission order among equal deadlines; continuations still go ahead of everything.
     */
    @Test
    void waitingRegistrationsAreGrantedEarliestDeadlineFirst() {
        Throttle t = new Throttle(owner, clock, 1000, 10, 10_000);
        List<String> grants = new ArrayList<>();
        long now = clock.millis();
        // the bucket grants 2 at once, then 10/s: fill it first so the rest queue up
        t.submit("h", () -> grants.add("filler1"));
        t.submit("h", () -> grants.add("filler2"));
        t.submit("h", now + 30_000, () -> grants.add("lapses in 30 s"));
        t.submit("h", now + 5_000, () -> grants.add("lapses in 5 s"));
        t.submit("h", () -> grants.add("no binding"));
        t.submit("h", now + 5_000, () -> grants.add("lapses in 5 s, later"));
        t.submit("h", now + 20_000, () -> grants.add("lapses in 20 s"));
        t.submitUrgent("h", () -> grants.add("continuation"));
        owner.runReady();
        for (int s = 0; s < 2; s++) {
            owner.advance(Duration.ofSeconds(1));
        }
        assertThat(grants).containsExactly("filler1", "filler2", "continuation", "no binding", "lapses in 5 s",
                "lapses in 5 s, later", "lapses in 20 s", "lapses in 30 s");
    }

    @Test
    void aWallClockSteppedBackDoesNotStopTheThrottle() {
        Throttle t = new Throttle(owner, clock, 10, 10, 10_000);
        List<String> grants = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            t.submit("h", () -> grants.add("before"));
        }
        owner.runReady();
        owner.advance(Duration.ofSeconds(1));
        clock.set(clock.instant().minus(Duration.ofHours(1)));
        t.submit("h", () -> grants.add("after"));
        owner.runReady();
        for (int s = 0; s < 3; s++) {
            owner.advance(Duration.ofSeconds(1));
        }
        // 10/s goes on from the new time: about 30 more in 3 s, not none for an hour
        assertThat(grants.size()).isGreaterThan(30);
    }

    @Test
    void perHostRateDoesNotStarveOtherHosts() {
        Throttle t = new Throttle(owner, clock, 1000, 10, 10_000);
        List<String> grants = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            t.submit("slow", () -> grants.add("slow"));
        }
        for (int i = 0; i < 100; i++) {
            t.submit("other", () -> grants.add("other"));
        }
        owner.runReady();
        owner.advance(Duration.ofSeconds(1));
        assertThat(grants.stream().filter("slow"::equals).count()).isLessThanOrEqualTo(12);
        assertThat(grants.stream().filter("other"::equals).count()).isBetween(10L, 21L);
    }

    @Test
    void inFlightCapWaitsForReleaseAndUrgentGoesFirst() {
        Throttle t = new Throttle(owner, clock, 1000, 1000, 2);
        List<String> grants = new ArrayList<>();
        t.submit("h", () -> grants.add("a"));
        t.submit("h", () -> grants.add("b"));
        t.submit("h", () -> grants.add("c"));
        t.submitUrgent("h", () -> grants.add("urgent"));
        owner.runReady();
        assertThat(grants).containsExactly("a", "b");
        assertThat(t.inFlight()).isEqualTo(2);
        t.pace("h", () -> true, () -> grants.add("retransmission"));
        t.pace("h", () -> false, () -> grants.add("unwanted"));
        owner.runReady();
        assertThat(grants).containsExactly("a", "b", "retransmission");
        t.release();
        owner.runReady();
        assertThat(grants).containsExactly("a", "b", "retransmission", "urgent");
        assertThat(t.queueDepth()).isEqualTo(1);
    }

    @Test
    void aRegistrarThatDoesNotAnswerIsProbedThenRampedUpAgainWithinItsRate() {
        Throttle t = new Throttle(owner, clock, 1000, 300, 100_000);
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            t.submit("reg", () -> grants.add(clock.millis()));
        }
        t.submit("other", () -> grants.add(-1L));
        t.hostFailing("reg");
        owner.runReady();
        grants.clear();
        for (int s = 0; s < 5; s++) {
            owner.advance(Duration.ofSeconds(1));
        }
        // the probe share (30/s) while it does not answer; another registrar is not held back
        assertThat(grants).doesNotContain(-1L).hasSizeBetween(140, 155);
        grants.clear();
        t.hostRecovered("reg");
        owner.runReady();
        long back = clock.millis();
        for (int s = 0; s < 5; s++) {
            owner.advance(Duration.ofSeconds(1));
        }
        // the first second after it answers again: 30/s ramping towards 300/s, far from a burst
        assertThat(grants.stream().filter(g -> g < back + 1000).count()).isBetween(90L, 110L);
        // then the full rate, and never more than rate + 1 % in any one-second window
        assertThat(grants.stream().filter(g -> g >= back + 3000 && g < back + 4000).count()).isBetween(295L, 303L);
        int max = 0;
        for (int from = 0, to = 0; to < grants.size(); to++) {
            while (grants.get(to) - grants.get(from) >= 1000) {
                from++;
            }
            max = Math.max(max, to - from + 1);
        }
        assertThat(max).isLessThanOrEqualTo(303);
    }
}
