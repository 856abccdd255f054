package org.opensipis.drills;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kill -9} of the only process, then a restart at once, with calls placed throughout.
 * Limits: 0 users without a binding and 0 duplicate contacts at any moment after the crash
 * (the bindings stay at the registrar while the process is down; the restart must refresh
 * them, not add new ones), busiest 1-s window within the throttle + 1 %, 0 acknowledged
 * registrations lost.
 */
@Timeout(900)
class Kill9IT extends Drill {

    @Test
    void crashAndRestart() throws Exception {
        rig(true);
        startAndRegisterAll();
        String drill = "kill -9 + restart";
        Caller caller = calls("kill9", 2, 30);
        long crash = System.currentTimeMillis();
        sipis.kill9();
        sipis.start();
        long restarted = System.currentTimeMillis();
        awaitEngineRegistered(sipis, Duration.ofSeconds(60 + n * 4L / THROTTLE));
        long allBack = System.currentTimeMillis();
        List<Caller.Call> calls = caller.await(120);
        long end = System.currentTimeMillis();
        LOG.info("{}: down {} ms, all Registered again {} ms after the restart", drill, restarted - crash, allBack - restarted);
        figure(drill, "time from restart until every instance is Registered (ms)", allBack - restarted,
                "≤ " + (n * 2L * 1100 / THROTTLE) + " (2 REGISTERs each at the throttle + 10 %)",
                allBack - restarted <= n * 2L * 1100 / THROTTLE);
        bindingFigures(drill, crash, end);
        registerWindowFigure(drill, crash, end);
        callFigures(drill, calls, false);
        int lost = apps.lost(db);
        figure(drill, "acknowledged HTTP changes lost (of " + apps.acked.size() + ")", lost, "0", lost == 0);
        logFigures(drill, sipis, false);
    }
}
