package org.opensipis.drills;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stopped for 60 s (CI: 20 s) under calls, SIP refreshes (expiry {@link #expires()})
 * and HTTP changes. Limits: every call placed while the database is down is pushed; 0
 * acknowledged changes lost (a change is acknowledged only when stored; 503 otherwise); 0
 * users without a binding; the process catches up by itself when the database is back.
 */
@Timeout(900)
class DatabaseOutageIT extends Drill {

    @Test
    void databaseDown() throws Exception {
        rig(true);
        startAndRegisterAll();
        String drill = "PostgreSQL down " + outage(Duration.ofSeconds(60), Duration.ofSeconds(20)).toSeconds() + " s";
        Duration outage = outage(Duration.ofSeconds(60), Duration.ofSeconds(20));
        AutoCloseable posts = postStream(20, () -> "127.0.0.1:" + sipis.httpPort);
        hold(Duration.ofSeconds(3));
        long down = System.currentTimeMillis();
        db.stop();
        Caller caller = calls("db-down", 3, (int) outage.toSeconds() - 2);
        int before503 = apps.unavailable.get();
        hold(outage);
        db.start();
        long up = System.currentTimeMillis();
        List<Caller.Call> calls = caller.await(120);
        long firstOk = -1;
        try {
            org.awaitility.Awaitility.await("an HTTP change is acknowledged again").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).until(() -> apps.firstOkAfter(up) > 0);
            firstOk = apps.firstOkAfter(up);
        } finally {
            posts.close();
        }
        org.awaitility.Awaitility.await("the write-behind queue drains").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> sipis.metric("sipis_db_write_queue_size", "") == 0 && sipis.metric("sipis_db_available", "") == 1);
        hold(Duration.ofSeconds(2));
        long end = System.currentTimeMillis();
        figure(drill, "HTTP changes answered 503 while down (nothing stored, retry)", apps.unavailable.get() - before503,
                "reported", true);
        figure(drill, "first acknowledged change after the database is back (ms)", firstOk < 0 ? -1 : firstOk - up,
                "reported", firstOk > 0);
        callFigures(drill, calls, true);
        int lost = apps.lost(db);
        figure(drill, "acknowledged HTTP changes lost (of " + apps.acked.size() + ")", lost, "0", lost == 0);
        long without = n - sampler.minUsers(down, end);
        figure(drill, "users without a binding during and after the outage", without, "0", without == 0);
        registerWindowFigure(drill, down, end);
        logFigures(drill, sipis, true);
    }
}
