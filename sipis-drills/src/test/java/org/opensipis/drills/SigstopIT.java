package org.opensipis.drills;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The process is frozen with SIGSTOP for 30 s (CI: 10 s, shorter than the short expiry's
 * refresh margin), then continued. Limits: 0 users without a binding and 0 duplicate contacts
 * (bindings outlive the pause); after SIGCONT the backlog goes out within the throttle + 1 %;
 * calls are pushed again; 0 acknowledged changes lost.
 */
@Timeout(900)
class SigstopIT extends Drill {

    @Test
    void pausedProcess() throws Exception {
        // the refresh margin (20 % of the expiry) must outlast the pause, or bindings expire meanwhile
        rig(true, Math.max(120, expires()));
        startAndRegisterAll();
        Duration pause = outage(Duration.ofSeconds(30), Duration.ofSeconds(10));
        String drill = "SIGSTOP " + pause.toSeconds() + " s";
        long stopped = System.currentTimeMillis();
        sipis.pause();
        Caller during = calls("paused", 2, (int) pause.toSeconds());
        hold(pause);
        sipis.resume();
        long resumed = System.currentTimeMillis();
        List<Caller.Call> callsDuring = during.await(120);
        Caller after = calls("resumed", 2, 10);
        List<Caller.Call> callsAfter = after.await(120);
        awaitEngineRegistered(sipis, Duration.ofSeconds(120));
        long end = System.currentTimeMillis();
        LOG.info("{}: paused {} ms", drill, resumed - stopped);
        bindingFigures(drill, stopped, end);
        registerWindowFigure(drill, resumed, end);
        callFigures(drill + ", while paused", callsDuring, false);
        callFigures(drill + ", after SIGCONT", callsAfter, true);
        int lost = apps.lost(db);
        figure(drill, "acknowledged HTTP changes lost (of " + apps.acked.size() + ")", lost, "0", lost == 0);
        logFigures(drill, sipis, true);
    }
}
