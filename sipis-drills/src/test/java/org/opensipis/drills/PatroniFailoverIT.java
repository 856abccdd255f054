package org.opensipis.drills;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Automatic database failover by an existing engine: Patroni (with etcd, synchronous mode)
 * manages two PostgreSQL nodes; the leader's machine is lost (SIGKILL of its Patroni and
 * PostgreSQL) under HTTP changes and calls, and Patroni promotes the replica by itself. SIPIS
 * only has both nodes in its multi-host OpenString ({@code target_session_attrs=read-write}).
 * Limits: writes resume ≤ 5 s after the promotion; 0 acknowledged changes lost; every call pushed.
 */
@Timeout(900)
class PatroniFailoverIT extends Drill {

    @Test
    void patroniPromotesTheReplica() throws Exception {
        for (String tool : List.of("/usr/bin/patroni", "/usr/bin/etcd", "/usr/bin/curl")) {
            assumeThat(Files.isExecutable(Path.of(tool))).as(tool + " (packages patroni, etcd-server, curl)").isTrue();
        }
        Path cluster = dir.resolve("patroni");
        int p1 = Sh.freePort();
        int p2 = Sh.freePort();
        closeLast.add(() -> Sh.script("patroni.sh", "down", cluster));
        Sh.run(List.of(Sh.script("patroni.sh").toString(), "up", cluster.toString(), Integer.toString(p1),
                Integer.toString(p2)), java.util.Map.of(), Duration.ofMinutes(4));
        registrar = new Registrar(dir.resolve("kamailio"), n, true);
        pnm = new PnmFake("127.0.0.1");
        sampler = new Sampler(registrar);
        apps = new Apps("127.0.0.1:" + registrar.port, expires());
        Files.write(dir.resolve("sipis.key"), key());
        Files.setPosixFilePermissions(dir.resolve("sipis.key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        sipis = process("Sipis1", "host=127.0.0.1,127.0.0.1 port=" + p1 + "," + p2
                + " dbname=sipis user=postgres target_session_attrs=read-write connect_timeout=2", "");
        startAndRegisterAll();
        String drill = "Patroni failover (leader machine lost)";
        AutoCloseable posts = postStream(20, () -> "127.0.0.1:" + sipis.httpPort);
        Caller caller = calls("patroni", 3, 30);
        hold(Duration.ofSeconds(3));
        String leader = Sh.script("patroni.sh", "leader", cluster).strip().split(" ")[0];
        long crash = System.currentTimeMillis();
        Sh.script("patroni.sh", "crash", cluster, leader);
        Awaitility.await("Patroni promotes the other node").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String now = Sh.script("patroni.sh", "leader", cluster).strip();
                    return !now.equals("none") && !now.startsWith(leader + " ");
                });
        long promoted = System.currentTimeMillis();
        String[] newLeader = Sh.script("patroni.sh", "leader", cluster).strip().split(" ");
        Awaitility.await("an HTTP change is acknowledged after the promotion").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50)).until(() -> apps.firstOkAfter(promoted) > 0);
        long resumed = apps.firstOkAfter(promoted) - promoted;
        hold(Duration.ofSeconds(3));
        posts.close();
        List<Caller.Call> calls = caller.await(120);
        Awaitility.await("the write-behind queue drains").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> sipis.metric("sipis_db_write_queue_size", "") == 0);
        long end = System.currentTimeMillis();
        figure(drill, "Patroni promoted " + newLeader[0] + " after the crash (ms)", promoted - crash,
                "reported (ttl 10 s, loop_wait 1 s)", true);
        figure(drill, "first acknowledged write after the promotion (ms)", resumed, "≤ 5000", resumed <= 5000);
        int lost = apps.lost(Pg.attach(cluster, Integer.parseInt(newLeader[1])));
        figure(drill, "acknowledged HTTP changes lost (of " + apps.acked.size() + ", " + apps.unavailable.get()
                + " answered 503)", lost, "0", lost == 0);
        callFigures(drill, calls, true);
        long without = n - sampler.minUsers(crash, end);
        figure(drill, "users without a binding", without, "0", without == 0);
        logFigures(drill, sipis, true);
    }
}
