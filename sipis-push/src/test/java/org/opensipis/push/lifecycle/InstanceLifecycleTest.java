package org.opensipis.push.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.InstanceSettings;
import org.opensipis.core.testing.FakeClock;

/** The timeline on a fake clock: exactly which pushes go out, and when. */
class InstanceLifecycleTest {

    static final InstanceSettings DEFAULTS = new InstanceSettings("SIPIS", Duration.ofDays(3), Duration.ofDays(7),
            Duration.ofHours(12), Duration.ofHours(24), Duration.ofHours(1), Duration.ofHours(12), Duration.ofHours(11),
            true, Duration.ofSeconds(30));

    private static final String SEL = "ABCD";
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T00:00:00Z"));
    private final Instant t0 = clock.instant();
    private final ManualExecutor owner = new ManualExecutor();
    private final List<String> log = new ArrayList<>();
    private final InstanceLifecycle lifecycle = new InstanceLifecycle(new ExpiryPlanner(DEFAULTS), clock, owner,
            new LifecycleActions() {
                @Override
                public void warn(String selector, Verb verb, Instant expiresAt) {
                    log.add(at() + " " + verb + " expires " + hours(expiresAt));
                }

                @Override
                public void expire(String selector, PlannedAction.Kind reason) {
                    log.add(at() + " " + reason);
                }
            });

    private String hours(Instant t) {
        return "+" + Duration.between(t0, t).toMinutes() / 60.0 + "h";
    }

    private String at() {
        return hours(clock.instant());
    }

    /** Moves the clock minute by minute, ticking each time, for {@code d}. */
    private void run(Duration d) {
        long minutes = d.toMinutes();
        for (long i = 0; i < minutes; i++) {
            clock.advance(Duration.ofMinutes(1));
            lifecycle.tick();
            owner.drain();
        }
    }

    private static List<String> silentHourly(int fromHour, int toHour, String expires) {
        return IntStream.rangeClosed(fromHour, toHour)
                .mapToObj(h -> "+" + (double) h + "h ABOUT_TO_EXPIRE_SILENT expires " + expires)
                .collect(Collectors.toList());
    }

    @Test
    void defaultTimelineSilentHourlyIntrusiveTwiceThenOff() {
        lifecycle.contact(SEL, t0, false);
        owner.drain();
        run(Duration.ofDays(4));

        List<String> expected = new ArrayList<>(silentHourly(48, 71, "+72.0h"));
        expected.add(expected.indexOf("+60.0h ABOUT_TO_EXPIRE_SILENT expires +72.0h") + 1,
                "+60.0h ABOUT_TO_EXPIRE_INTRUSIVE expires +72.0h");
        expected.add("+71.0h ABOUT_TO_EXPIRE_INTRUSIVE expires +72.0h");
        expected.add("+72.0h OFF");
        assertThat(log).containsExactlyElementsOf(expected);
        assertThat(lifecycle.size()).isZero();
    }

    @Test
    void premiumInstanceLivesSevenDays() {
        lifecycle.contact(SEL, t0, true);
        owner.drain();
        run(Duration.ofDays(8));
        assertThat(log).first().isEqualTo("+144.0h ABOUT_TO_EXPIRE_SILENT expires +168.0h");
        assertThat(log).filteredOn(s -> s.contains("INTRUSIVE"))
                .containsExactly("+156.0h ABOUT_TO_EXPIRE_INTRUSIVE expires +168.0h",
                        "+167.0h ABOUT_TO_EXPIRE_INTRUSIVE expires +168.0h");
        assertThat(log).last().isEqualTo("+168.0h OFF");
        assertThat(log).hasSize(24 + 2 + 1);
    }

    @Test
    void everyContactFromTheAppRestartsTheAge() {
        lifecycle.contact(SEL, t0, false);
        owner.drain();
        run(Duration.ofHours(50));
        assertThat(log).containsExactly("+48.0h ABOUT_TO_EXPIRE_SILENT expires +72.0h",
                "+49.0h ABOUT_TO_EXPIRE_SILENT expires +72.0h", "+50.0h ABOUT_TO_EXPIRE_SILENT expires +72.0h");
        log.clear();

        lifecycle.contact(SEL, clock.instant(), false); // the silent push worked: the app refreshed
        owner.drain();
        run(Duration.ofHours(47).plusMinutes(59));
        assertThat(log).isEmpty();
        run(Duration.ofMinutes(1));
        assertThat(log).containsExactly("+98.0h ABOUT_TO_EXPIRE_SILENT expires +122.0h");
        run(Duration.ofHours(30));
        assertThat(log).last().isEqualTo("+122.0h OFF");
    }

    @Test
    void notRegisteredForTwelveHoursTurnsTheInstanceOff() {
        lifecycle.contact(SEL, t0, false);
        lifecycle.registration(SEL, false, t0.plus(Duration.ofHours(1)));
        owner.drain();
        run(Duration.ofHours(14));
        assertThat(log).containsExactly("+13.0h OFF_NOT_REGISTERED");
    }

    @Test
    void registeringAgainCancelsTheNotRegisteredLimit() {
        lifecycle.contact(SEL, t0, false);
        lifecycle.registration(SEL, false, t0);
        owner.drain();
        run(Duration.ofHours(6));
        lifecycle.registration(SEL, true, clock.instant());
        owner.drain();
        run(Duration.ofHours(41)); // past the 12 h limit, up to +47 h
        assertThat(log).isEmpty();
        run(Duration.ofHours(1));
        assertThat(log).containsExactly("+48.0h ABOUT_TO_EXPIRE_SILENT expires +72.0h");
    }

    @Test
    void aLateTickSendsOnlyTheLatestWarningOfEachKind() {
        lifecycle.contact(SEL, t0, false);
        owner.drain();
        clock.advance(Duration.ofHours(60).plusMinutes(30));
        lifecycle.tick();
        owner.drain();
        assertThat(log).containsExactly("+60.5h ABOUT_TO_EXPIRE_SILENT expires +72.0h",
                "+60.5h ABOUT_TO_EXPIRE_INTRUSIVE expires +72.0h");
        log.clear();
        clock.advance(Duration.ofDays(2));
        lifecycle.tick();
        owner.drain();
        assertThat(log).containsExactly("+108.5h OFF");
    }

    @Test
    void forgottenInstancesGetNothing() {
        lifecycle.contact(SEL, t0, false);
        lifecycle.forget(SEL);
        owner.drain();
        run(Duration.ofDays(4));
        assertThat(log).isEmpty();
    }

    @Test
    void plannerTimelineCountsAndOrder() {
        ExpiryPlanner p = new ExpiryPlanner(DEFAULTS);
        List<PlannedAction> all = p.timeline(new LifecycleView(SEL, t0, false, java.util.Optional.empty()));
        assertThat(all).hasSize(27);
        assertThat(all).isSortedAccordingTo(java.util.Comparator.comparing(PlannedAction::at));
        assertThat(all.get(all.size() - 1)).isEqualTo(new PlannedAction(t0.plus(Duration.ofDays(3)),
                PlannedAction.Kind.OFF, t0.plus(Duration.ofDays(3))));
    }
}
