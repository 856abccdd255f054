package org.opensipis.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.opensipis.core.shard.SelectorPrefix;

/**
 * The calls of a drill step as the push provider saw them: for each call placed by
 * {@link CallLoad}, how many incoming-call and missed-call pushes carried its Call-ID
 * ({@link PushCounter}). Users {@code u<i>} have the selector {@code selectors[i]}.
 */
final class CallTally {

    private final CallLoad caller;
    private final PushCounter pushes;
    private final List<String> selectors;

    CallTally(CallLoad caller, PushCounter pushes, List<String> selectors) {
        this.caller = caller;
        this.pushes = pushes;
        this.selectors = selectors;
    }

    /**
     * Three calls in four to a user of {@code prefix} (the one moving, or the killed process's),
     * the fourth to any user, so that many calls land in a make-before-break overlap.
     */
    java.util.function.Supplier<String> users(String prefix) {
        SelectorPrefix p = SelectorPrefix.parse(prefix);
        List<Integer> inPrefix = new ArrayList<>();
        for (int i = 0; i < selectors.size(); i++) {
            if (p.matches(selectors.get(i))) {
                inPrefix.add(i);
            }
        }
        java.util.Random r = caller.random();
        return () -> "u" + (r.nextInt(4) > 0 ? inPrefix.get(r.nextInt(inPrefix.size())) : r.nextInt(selectors.size()));
    }

    /** How the calls of one step were pushed, counted at the push provider per Call-ID. */
    record Figures(int placed, int pushedOnce, int pushedTwice, int notPushed, int missedPushedTwice,
                       int missedWithoutPush, int ended, List<String> examples) {

        /** With {@code everyCall}: every call pushed exactly once; without: none pushed twice. */
        void assertExactlyOnce(boolean everyCall) {
            assertThat(placed).as("calls placed").isPositive();
            assertThat(pushedTwice).as("calls pushed twice, e.g. %s", examples).isZero();
            assertThat(missedPushedTwice).as("calls with two missed-call pushes, e.g. %s", examples).isZero();
            assertThat(missedWithoutPush).as("missed-call pushes for a call nobody pushed, e.g. %s", examples).isZero();
            if (everyCall) {
                assertThat(notPushed).as("calls not pushed, e.g. %s", examples).isZero();
            }
        }

        @Override
        public String toString() {
            return String.format("placed %d, pushed once %d, pushed twice %d, not pushed %d, missed-call pushed twice %d,"
                    + " ended %d%s", placed, pushedOnce, pushedTwice, notPushed, missedPushedTwice, ended,
                    examples.isEmpty() ? "" : " (e.g. " + String.join("; ", examples) + ")");
        }
    }

    /**
     * The calls placed since the {@code from}-th to users whose selector {@code which} accepts,
     * once each has ended (a final response; Kamailio gives one within a few seconds of the
     * CANCEL) and its pushes have had time to arrive (at most 30 s in all).
     */
    Figures calls(int from, java.util.function.Predicate<String> which) {
        List<CallLoad.Call> mine = new ArrayList<>();
        for (CallLoad.Call c : caller.placed().subList(from, caller.placed().size())) {
            if (which.test(selectors.get(Integer.parseInt(c.user.substring(1))))) {
                mine.add(c);
            }
        }
        long endBy = System.currentTimeMillis() + 30_000;
        // a pushed call is complete with its missed-call push (after the CANCEL); a call without one
        // gets 3 s after its final response, or 20 s after it was placed, for a late push to arrive
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250)).until(() -> {
            long now = System.currentTimeMillis();
            return now > endBy || mine.stream().allMatch(c -> pushes.missedPushes(c.callId) > 0
                    || (c.finalStatus != 0 && now - c.finalAtMillis > 3_000) || now - c.placedAtMillis > 20_000);
        });
        int once = 0;
        int twice = 0;
        int none = 0;
        int missedTwice = 0;
        int missedAlone = 0;
        int ended = 0;
        List<String> examples = new ArrayList<>();
        for (CallLoad.Call c : mine) {
            int n = pushes.pushes(c.callId);
            int m = pushes.missedPushes(c.callId);
            if (n == 1) {
                once++;
            } else if (n == 0) {
                none++;
            } else {
                twice++;
            }
            if (m > 1) {
                missedTwice++;
            }
            if (m > 0 && n == 0) {
                missedAlone++;
            }
            if (c.finalStatus != 0) {
                ended++;
            }
            if (n != 1 && examples.size() < 5) {
                examples.add(c.callId + " to " + c.user + " pushed " + n + " missed " + m + " final " + c.finalStatus);
            }
        }
        return new Figures(mine.size(), once, twice, none, missedTwice, missedAlone, ended, examples);
    }

}
