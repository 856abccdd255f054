package org.opensipis.drills;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registrar is down for 2 min (CI: 45 s, longer than Timer F), once with its bindings persisted (usrloc in a
 * database, reloaded at start) and once in memory only (all bindings lost). Limits: after it is
 * back, every user is registered within what the throttle allows + 10 %
 * (2 REGISTERs per user at {@link #THROTTLE}/s, plus the backoff the process was in); busiest
 * 1-s window within the throttle + 1 %; 0 duplicate contacts; the process's log says the
 * registrar is unreachable (rate-limited: at most one line per 10 s, plus 5), and /metrics
 * counts the timeouts.
 */
@Timeout(1200)
class RegistrarOutageIT extends Drill {

    @Test
    void registrarDownBindingsPersisted() throws Exception {
        drill(true);
    }

    @Test
    void registrarDownBindingsInMemory() throws Exception {
        drill(false);
    }

    private void drill(boolean persisted) throws Exception {
        rig(persisted);
        startAndRegisterAll();
        Duration outage = outage(Duration.ofMinutes(2), Duration.ofSeconds(45)); // > Timer F (32 s): REGISTERs time out
        String drill = "registrar down " + outage.toSeconds() + " s, bindings " + (persisted ? "persisted" : "in memory");
        double timeoutsBefore = sipis.metric("sipis_register_responses_total", "timeout");
        int logBefore = sipis.logLines("WARN").size() + sipis.logLines("ERROR").size();
        long down = System.currentTimeMillis();
        registrar.stop();
        hold(outage);
        registrar.start();
        long back = System.currentTimeMillis();
        Caller caller = calls("registrar-back", 2, 20);
        long allowed = n * 2L * 1100 / THROTTLE;
        long all;
        try {
            all = awaitAllRegistered(back, Duration.ofSeconds(360 + 2 * allowed / 1000)) - back;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            all = -1;
        }
        List<Caller.Call> calls = caller.await(120);
        long end = System.currentTimeMillis();
        // a REGISTER sent during the outage times out 32 s later (Timer F): count until the end
        int quietOutageLines = sipis.logLines("WARN").size() + sipis.logLines("ERROR").size() - logBefore;
        double timeouts = sipis.metric("sipis_register_responses_total", "timeout") - timeoutsBefore;
        long allowedLines = (end - down) / 10_000 + 5;
        figure(drill, "time after the registrar is back until all users are registered (ms; fewest right after: "
                + sampler.minUsers(back, back + 1000) + ")", all, "≤ " + allowed, all >= 0 && all <= allowed);
        long duplicates = registrar.duplicateUsers(back, end).size();
        figure(drill, "users holding two contacts after a REGISTER once it is back (usrloc statistics, contacts − users at "
                + "most: " + sampler.maxDuplicates(back, end) + ")", duplicates, "0", duplicates == 0);
        registerWindowFigure(drill, back, end);
        figure(drill, "ERROR/WARN lines from the outage on (the log says so, rate-limited)", quietOutageLines,
                "1 … " + allowedLines, quietOutageLines >= 1 && quietOutageLines <= allowedLines);
        figure(drill, "REGISTER timeouts counted in /metrics from the outage on", (long) timeouts, "> 0", timeouts > 0);
        callFigures(drill, calls, false);
        logFigures(drill, sipis, true);
    }
}
