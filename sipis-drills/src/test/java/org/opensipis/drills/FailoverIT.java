package org.opensipis.drills;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The primary crashes (SIGKILL) under HTTP changes and calls; 2 s later the streaming standby
 * is promoted ({@code pg_ctl promote}). The process has both in its multi-host OpenString with
 * {@code target_session_attrs=read-write}, so it must find the new primary by itself.
 * Replication is synchronous ({@code synchronous_standby_names='*'}), so an acknowledged change
 * is on the standby. Limits: writes resume ≤ 5 s after the promotion; 0 acknowledged changes
 * lost; every call pushed.
 */
@Timeout(900)
class FailoverIT extends Drill {

    @Test
    void failoverToPromotedStandby() throws Exception {
        db = Pg.primary(dir.resolve("pg-a"));
        Pg standby = Pg.standby(dir.resolve("pg-b"), db);
        closeLast.add(standby);
        db.sql("ALTER SYSTEM SET synchronous_standby_names = '*'");
        db.sql("SELECT pg_reload_conf()");
        registrar = new Registrar(dir.resolve("kamailio"), n, true);
        pnm = new PnmFake("127.0.0.1");
        sampler = new Sampler(registrar);
        apps = new Apps("127.0.0.1:" + registrar.port, expires());
        java.nio.file.Files.write(dir.resolve("sipis.key"), key());
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("sipis.key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        sipis = process("Sipis1", "host=127.0.0.1,127.0.0.1 port=" + db.port + "," + standby.port
                + " dbname=sipis user=postgres target_session_attrs=read-write connect_timeout=2", "");
        startAndRegisterAll();
        String drill = "failover to the promoted standby";
        AutoCloseable posts = postStream(20, () -> "127.0.0.1:" + sipis.httpPort);
        Caller caller = calls("failover", 3, 20);
        hold(Duration.ofSeconds(5));
        long crash = System.currentTimeMillis();
        db.kill();
        hold(Duration.ofSeconds(2));
        standby.promote();
        long promoted = System.currentTimeMillis();
        Awaitility.await("an HTTP change is acknowledged after the promotion").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50)).until(() -> apps.firstOkAfter(promoted) > 0);
        long resumed = apps.firstOkAfter(promoted) - promoted;
        hold(Duration.ofSeconds(5));
        posts.close();
        List<Caller.Call> calls = caller.await(120);
        Awaitility.await("the write-behind queue drains").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> sipis.metric("sipis_db_write_queue_size", "") == 0);
        long end = System.currentTimeMillis();
        LOG.info("{}: primary killed, promoted after {} ms, first write {} ms after the promotion", drill,
                promoted - crash, resumed);
        figure(drill, "first acknowledged write after the promotion (ms)", resumed, "≤ 5000", resumed <= 5000);
        int lost = apps.lost(standby);
        figure(drill, "acknowledged HTTP changes lost (of " + apps.acked.size() + ", " + apps.unavailable.get()
                + " answered 503)", lost, "0", lost == 0);
        callFigures(drill, calls, true);
        long without = n - sampler.minUsers(crash, end);
        figure(drill, "users without a binding", without, "0", without == 0);
        logFigures(drill, sipis, true);
    }
}
