package org.opensipis.drills;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A clean restart (SIGTERM, then start), with calls placed throughout. Limits: 0 users without
 * a binding at any moment (a restart must leave the bindings in place), 0 duplicate contacts,
 * busiest 1-s window within the throttle + 1 %, 0 acknowledged registrations lost, 0 ERROR lines.
 */
@Timeout(900)
class SigtermIT extends Drill {

    @Test
    void cleanRestart() throws Exception {
        rig(true);
        startAndRegisterAll();
        String drill = "SIGTERM restart";
        Caller caller = calls("sigterm", 2, 30);
        long stop = System.currentTimeMillis();
        sipis.term();
        long stopped = System.currentTimeMillis();
        sipis.start();
        long restarted = System.currentTimeMillis();
        awaitEngineRegistered(sipis, Duration.ofSeconds(60 + n * 4L / THROTTLE));
        long allBack = System.currentTimeMillis();
        List<Caller.Call> calls = caller.await(120);
        long end = System.currentTimeMillis();
        LOG.info("{}: stop took {} ms, down {} ms, all Registered {} ms after the start", drill, stopped - stop,
                restarted - stop, allBack - restarted);
        figure(drill, "time from start until every instance is Registered (ms)", allBack - restarted,
                "≤ " + (n * 2L * 1100 / THROTTLE) + " (2 REGISTERs each at the throttle + 10 %)",
                allBack - restarted <= n * 2L * 1100 / THROTTLE);
        bindingFigures(drill, stop, end);
        registerWindowFigure(drill, stop, end);
        callFigures(drill, calls, false);
        int lost = apps.lost(db);
        figure(drill, "acknowledged HTTP changes lost (of " + apps.acked.size() + ")", lost, "0", lost == 0);
        logFigures(drill, sipis, false);
    }
}
