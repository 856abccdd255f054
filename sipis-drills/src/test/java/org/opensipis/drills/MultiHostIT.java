package org.opensipis.drills;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed's multi-machine layout, as {@code sipis plan --hosts 2 --per-host 2} writes it, on two
 * "machines" that are network namespaces with their own addresses on a bridge (TEST-NET-2,
 * inside namespaces only): per machine {@code sipis lb2} and two {@code sipis run}; one shared
 * PostgreSQL, Kamailio as the provider, the push fake and the callers in the bridge's namespace;
 * names resolved through a hosts file per namespace built from the plan's {@code dns.zone}.
 * Shows: each process holds only its shard; an app's {@code s-<prefix>} name reaches the owner's
 * machine; registrations posted to one machine are picked up by owners on both; deleting one
 * machine's namespace affects only its shard's users; the seed's replacement (same address,
 * same files) restores it.
 */
@Timeout(900)
class MultiHostIT extends Drill {

    private static final String NET = "198.51.100.";
    private final String p = "sd" + ProcessHandle.current().pid() % 10000;
    private Path pgDir;
    private Path etc;
    private Path callsFile;
    private int users;

    @Test
    void twoMachinesFromThePlan() throws Exception {
        assumeThat(new com.sun.security.auth.module.UnixSystem().getUid()).as("root (network namespaces)").isZero();
        assumeThat(Sh.available("/usr/sbin/ip") || Sh.available("/usr/bin/ip") || Sh.available("/sbin/ip")).isTrue();
        users = Math.min(instances(), full() ? 4000 : 400);
        n = users;
        Sh.script("netns.sh", "net", p);
        List<String> inNet = List.of("ip", "netns", "exec", p + "-net");
        // shared PostgreSQL and the provider, in the bridge's namespace
        Path pgDir = dir.resolve("pg");
        Sh.run(cmd(inNet, "env", "PG_LISTEN=127.0.0.1," + NET + "1", "PG_TRUST_NET=" + NET + "0/24",
                Sh.script("pg.sh").toString(), "primary", pgDir.toString(), "5432"));
        this.pgDir = pgDir;
        registrar = new Registrar(dir.resolve("kamailio"), users, true, NET + "1", 5060, inNet);
        sampler = new Sampler(registrar);
        callsFile = dir.resolve("pushed-calls.txt");
        Path portFile = dir.resolve("pnm.port");
        Process pnmProcess = new ProcessBuilder(cmd(inNet, javaBin(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName(), "pnm", NET + "1", portFile.toString(), callsFile.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("pnm.out").toFile()).start();
        closeLast.add(pnmProcess::destroyForcibly);
        Awaitility.await("PNM fake up").atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile)
                && !Files.readString(portFile).isBlank());
        int pnmPort = Integer.parseInt(Files.readString(portFile).strip());

        // the plan, installed as the seed says (with the drill's directories for etc, lock and log)
        etc = Files.createDirectories(dir.resolve("etc"));
        Sh.run(List.of(javaBin(), "-jar", Sh.jar().toString(), "plan", "--hosts", "2", "--per-host", "2",
                "--domain", "sipis.drill", "--db", "host=" + NET + "1 port=5432 dbname=sipis user=postgres",
                "--host-ips", NET + "11," + NET + "12", "--etc-dir", etc.toString(), "--lb2-file",
                etc.resolve("lb2.xml").toString(), "--realm", "Sipis", "--out", dir.resolve("plan").toString()));
        Path plan = dir.resolve("plan");
        Files.write(etc.resolve("sipis.key"), key());
        Files.writeString(etc.resolve("Defaults.xml"), Files.readString(plan.resolve("Defaults.xml")).replace("</Sipis>",
                "  <HttpServer AuthenticationMethod=\"None\"/>\n  <DataProtection KeyFileName=\"" + etc.resolve("sipis.key") + "\"/>\n"
                + "  <NotificationServers><NotificationServer Name=\"*\" Host=\"" + NET + "1\" Port=\"" + pnmPort
                + "\" RequiresTls=\"No\" Url=\"http://" + NET + "1:" + pnmPort + "/pnm2/send\"/></NotificationServers>\n"
                + "  <IncomingCall><NotAnsweredMaxAge Seconds=\"" + T1_SECONDS + "\"/></IncomingCall>\n"
                + "  <PushTest Enabled=\"No\"/>\n  <Registration GlobalRate=\"" + THROTTLE + "\" PerRegistrarRate=\"" + THROTTLE
                + "\"/>\n"
                // the registrar is on the drill's own network; the apps post from it directly, not through nginx
                + "  <RegistrarTargets><Allow Network=\"" + NET + "0/24\"/></RegistrarTargets>\n"
                + "  <RegisterLimits PerSourceRate=\"0\"/>\n</Sipis>"));
        Files.copy(plan.resolve("LoadBalancer2/Settings.xml"), etc.resolve("lb2.xml"));
        for (int i = 0; i < 4; i++) {
            Files.writeString(etc.resolve("Settingssipis" + i + ".xml"), Files.readString(plan.resolve("Settingssipis" + i + ".xml"))
                    .replace("/var/run/sipis/", dir + "/").replace("/var/log/sipis/", dir + "/"));
        }
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        for (String line : Files.readAllLines(plan.resolve("dns.zone"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[2].equals("A")) {
                hosts.append(f[3]).append(' ').append(f[0], 0, f[0].length() - 1).append('\n');
            }
        }
        Path hostsFile = Files.writeString(dir.resolve("hosts"), hosts);
        Sh.script("netns.sh", "hosts", p, p + "-net", hostsFile);

        Map<String, Sipis> processes = new LinkedHashMap<>();
        for (int h = 0; h < 2; h++) {
            machine(h, hostsFile, processes);
        }
        String drill = "multi-host (2 × 2, namespaces)";
        long t0 = System.currentTimeMillis();
        // every registration goes to machine 0's first process; owners on both machines pick them up
        Sh.run(cmd(inNet, javaBin(), "-cp", System.getProperty("java.class.path"), Probe.class.getName(), "register-all",
                NET + "11:5000", NET + "1:5060", "60", "0", Integer.toString(users)), Map.of(), Duration.ofMinutes(5));
        Awaitility.await("all users registered at the provider").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250)).until(() -> sampler.firstTime(t0, u -> u >= users) >= 0);
        figure(drill, "users registered, all posted to machine 0 (ms)", sampler.firstTime(t0, u -> u >= users) - t0,
                "all " + users, true);
        for (int i = 0; i < 4; i++) {
            int expected = owned(i).size();
            String metrics = probe(inNet, "get", "http://" + NET + (11 + i / 2) + ":" + (5000 + 10 * (i % 2)) + "/metrics");
            double held = metrics.lines().filter(l -> l.startsWith("sipis_instances{")).mapToDouble(l ->
                    Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            figure(drill, "sipis" + i + " holds only its shard (instances in /metrics)", (long) held, "= " + expected,
                    (long) held == expected);
        }
        for (int i = 0; i < 4; i++) {
            int instance = owned(i).get(0);
            String name = "s-" + Character.toLowerCase(Apps.selector(instance).charAt(0)) + ".sipis.drill";
            String address = probe(inNet, "resolve", name).strip();
            String answer = probe(inNet, "app-register", address, "4998", Integer.toString(instance)).strip();
            figure(drill, "app of sipis" + i + " via " + name + " → " + address, answer,
                    "owner's machine " + NET + (11 + i / 2) + ", 401", address.equals(NET + (11 + i / 2)) && answer.startsWith("SIP/2.0 401"));
        }
        List<Caller.Call> before = calls(inNet, "both-up");
        figure(drill, "calls pushed / placed, both machines up", pushed(before) + " / " + before.size(), "all",
                pushed(before) == before.size() && !before.isEmpty());

        Sh.script("netns.sh", "del", p, p + "-h1");
        processes.get("sipis2").close();
        processes.get("sipis3").close();
        List<Caller.Call> during = calls(inNet, "machine1-gone");
        long pushed0 = countPushed(during, 0);
        long placed0 = countPlaced(during, 0);
        long pushed1 = countPushed(during, 1);
        long placed1 = countPlaced(during, 1);
        figure(drill, "machine 1 deleted: calls to machine 0's users pushed / placed", pushed0 + " / " + placed0, "all",
                placed0 > 0 && pushed0 == placed0);
        figure(drill, "machine 1 deleted: calls to machine 1's users pushed / placed", pushed1 + " / " + placed1,
                "0 (its shard only)", pushed1 == 0);

        long replaced = System.currentTimeMillis();
        machine(1, hostsFile, processes);
        for (int i = 2; i < 4; i++) {
            String restored = processes.get("sipis" + i).lastRestored();
            figure(drill, "replacement machine 1: sipis" + i + " loads its shard", restored,
                    "restored " + owned(i).size() + " instances", restored.startsWith("restored " + owned(i).size() + " "));
        }
        for (int i = 2; i < 4; i++) {
            int process = i;
            String url = "http://" + NET + "12:" + (5000 + 10 * (i % 2)) + "/metrics";
            Awaitility.await("sipis" + i + " has registered its shard again").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> probe(inNet, "get", url).lines()
                            .filter(l -> l.startsWith("sipis_instances{") && l.contains("state=\"registered\""))
                            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum() >= owned(process).size());
        }
        List<Caller.Call> after = calls(inNet, "replaced");
        figure(drill, "after the replacement (same address, same files): calls pushed / placed (+"
                + (System.currentTimeMillis() - replaced) + " ms)", pushed(after) + " / " + after.size(), "all",
                pushed(after) == after.size() && !after.isEmpty());
        LOG.info("{}: calls while machine 1 was gone: {}", drill, Caller.tally(during));
    }

    private void machine(int h, Path hostsFile, Map<String, Sipis> processes) throws Exception {
        String ns = p + "-h" + h;
        Sh.script("netns.sh", "host", p, h, NET + (11 + h), hostsFile);
        List<String> in = List.of("ip", "netns", "exec", ns);
        Process lb2 = new ProcessBuilder(cmd(in, javaBin(), "-Xmx96m", "-jar", Sh.jar().toString(), "lb2",
                etc.resolve("lb2.xml").toString())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("lb2-h" + h + ".out").toFile())).start();
        closeLast.add(lb2::destroyForcibly);
        for (int k = 0; k < 2; k++) {
            String name = "sipis" + (2 * h + k);
            Sipis s = new Sipis(dir, name, etc.resolve("Settings" + name + ".xml"), dir.resolve("sipis" + name + ".log"),
                    NET + (11 + h), 5000 + 10 * k, new Sipis.Launch(in, Map.of()));
            processes.put(name, s);
            closeLast.add(s);
            s.start();
        }
    }

    /** Instances whose selector LB2 routes to process i (prefixes 0/2, 4/2, 8/2, C/2). */
    private List<Integer> owned(int process) {
        return IntStream.range(0, users).filter(i -> Character.digit(Apps.selector(i).charAt(0), 16) / 4 == process)
                .boxed().toList();
    }

    private int machineOf(String user) {
        int i = Integer.parseInt(user.substring(1)) - 1;
        return Character.digit(Apps.selector(i).charAt(0), 16) / 8;
    }

    private List<Caller.Call> calls(List<String> inNet, String name) throws Exception {
        Caller c = new Caller(dir.resolve("sipp-" + name), NET + "1", 5060,
                IntStream.range(0, users).mapToObj(Apps::user).toList(), 4, 10, (T1_SECONDS + 3) * 1000L, inNet);
        closeLast.add(c);
        return c.await(120);
    }

    private long pushed(List<Caller.Call> calls) throws Exception {
        List<String> ids = Files.exists(callsFile) ? Files.readAllLines(callsFile) : List.of();
        return calls.stream().filter(c -> ids.contains(c.callId())).count();
    }

    private long countPushed(List<Caller.Call> calls, int machine) throws Exception {
        return pushed(calls.stream().filter(c -> machineOf(c.user()) == machine).toList());
    }

    private long countPlaced(List<Caller.Call> calls, int machine) {
        return calls.stream().filter(c -> machineOf(c.user()) == machine).count();
    }

    private String probe(List<String> in, String... args) {
        List<String> c = cmd(in, javaBin(), "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        c.addAll(List.of(args));
        return Sh.run(c);
    }

    private static List<String> cmd(List<String> prefix, String... rest) {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(List.of(rest));
        return c;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @AfterEach
    void namespacesDown() {
        if (pgDir != null) {
            try {
                Sh.run(cmd(List.of("ip", "netns", "exec", p + "-net"), Sh.script("pg.sh").toString(), "stop", pgDir.toString()));
            } catch (IllegalStateException e) {
                LOG.warn("cannot stop the shared PostgreSQL: {}", e.getMessage());
            }
        }
        Sh.script("netns.sh", "down", p); // kills what is left in the namespaces (processes, Kamailio)
    }
}
