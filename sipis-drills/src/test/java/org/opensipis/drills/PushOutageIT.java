package org.opensipis.drills;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The push provider answers 503 for 60 s (CI: 40 s, long enough for the breaker's 30 s open
 * period) while calls come in, then recovers. Limits: every call placed during the outage ends
 * with {@code 480} and {@code X-Sipis-Reason: Push-Failed} within T1 + 3 s; the breaker opens
 * (log line) so the gateway stops being hammered; after the provider is back the breaker closes
 * (log line) and calls are pushed again.
 */
@Timeout(900)
class PushOutageIT extends Drill {

    @Test
    void pushProviderDown() throws Exception {
        rig(true);
        startAndRegisterAll();
        Duration outage = outage(Duration.ofSeconds(60), Duration.ofSeconds(40));
        String drill = "push provider down " + outage.toSeconds() + " s";
        pnm.failing(true);
        long down = System.currentTimeMillis();
        Caller during = calls("push-down", 3, (int) outage.toSeconds() - 6);
        List<Caller.Call> failedCalls = during.await(outage.toSeconds() + 60);
        int requestsDuringOutage = pnm.refused.get();
        Awaitility.await().atMost(outage.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> System.currentTimeMillis() >= down + outage.toMillis());
        pnm.failing(false);
        long up = System.currentTimeMillis();
        // the breaker closes only after a trial push succeeds, so calls keep coming; the breaker may
        // stay open up to its 30 s period (plus one more if a trial fell inside the outage)
        Caller after = calls("push-back", 3, 45);
        List<Caller.Call> laterCalls = after.await(180);
        long closedAt = sipis.logLines("INFO").stream().filter(l -> l.contains("Circuit") && l.contains("closed again"))
                .mapToLong(l -> java.time.OffsetDateTime.parse(l.substring(0, l.indexOf(' '))).toInstant().toEpochMilli())
                .filter(t -> t >= up).min().orElse(-1);
        figure(drill, "breaker closed after the provider is back (ms)", closedAt < 0 ? -1 : closedAt - up,
                "≤ 65000 (30 s open period, twice)", closedAt >= 0 && closedAt - up <= 65_000);
        List<Caller.Call> last = laterCalls.subList(Math.max(0, laterCalls.size() - 30), laterCalls.size());
        long pushFailed = failedCalls.stream().filter(c -> c.status().equals("480") && c.reason().equals("Push-Failed")).count();
        figure(drill, "calls during the outage ending 480 Push-Failed within T1 + 3 s " + Caller.tally(failedCalls),
                pushFailed + " / " + failedCalls.size(), "all", !failedCalls.isEmpty() && pushFailed == failedCalls.size());
        boolean opened = sipis.logLines("WARN").stream().anyMatch(l -> l.contains("Circuit") && l.contains("opened"));
        boolean closed = sipis.logLines("INFO").stream().anyMatch(l -> l.contains("Circuit") && l.contains("closed again"));
        figure(drill, "breaker opened / closed (log), gateway requests during the outage " + requestsDuringOutage
                + " for " + failedCalls.size() + " calls", opened + " / " + closed, "true / true", opened && closed);
        LOG.info("{}: calls after recovery {}", drill, Caller.tally(laterCalls));
        callFigures(drill + ", the last 10 s of calls after recovery", last, true);
        LOG.info("{}: provider back at +{} ms", drill, up - down);
        logFigures(drill, sipis, true);
    }
}
