package org.opensipis.sip.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.core.settings.Secret;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.registration.EngineConfig;
import org.opensipis.sip.registration.EngineStats;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationEngines;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.Kamailio;
import org.opensipis.sip.transport.TransportConfig;

/**
 * Registration benchmark against a real Kamailio on loopback (see scripts/bench-registration.sh
 * and docs/benchmarks.md). Not a test: it prints a Markdown table. Phases:
 * <ol>
 *   <li>saturation with full digest per refresh (REGISTER, 401, REGISTER, 200; preemptive off):
 *       transactions/s and p99;</li>
 *   <li>CPU seconds per 10,000 refreshes at about 2,000 refreshes/s (production mode: the cached
 *       challenge is answered up front), and heap per instance during that load;</li>
 *   <li>heap per registered instance after full GC, idle, at 10k and 100k instances.</li>
 * </ol>
 */
public final class RegistrationBench {

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Map<String, String> results = new LinkedHashMap<>();
    /** Throttle rate in the saturation phase: above the 5,000/s target, below a retransmission storm. */
    private static final double SATURATION_RATE = 6_000;
    private Kamailio kamailio;
    private int accounts = Integer.MAX_VALUE;
    private int phase;

    /**
     * Runs every phase, or only those named in the system property {@code bench.phases}
     * (comma-separated: saturation, cpu, idle, big-idle, big-loaded) for quick iterations.
     */
    public static void main(String[] args) throws Exception {
        int big = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        java.util.Set<String> phases = java.util.Set.of(
                System.getProperty("bench.phases", "saturation,cpu,idle,big-idle,big-loaded").split(","));
        RegistrationBench b = new RegistrationBench();
        // 2,000 accounts, 10 instances = 10 bindings per AoR in phase 1 (the registrar's
        // passwords are in an htable, so the account count does not change its cost)
        if (phases.contains("saturation")) {
            try (Kamailio k = new Kamailio(users(2_000), 4)) {
                b.kamailio = k;
                b.accounts = 2_000;
                b.saturation(20_000, 20);
            }
        }
        // one account per instance, one binding per AoR, as in the calibration
        if (phases.contains("cpu")) {
            try (Kamailio k = new Kamailio(users(10_000), 4)) {
                b.kamailio = k;
                b.accounts = Integer.MAX_VALUE;
                b.cpuAtTwoThousandPerSecond(10_000, 30);
            }
        }
        if (phases.contains("idle")) {
            try (Kamailio k = new Kamailio(users(10_000), 4)) {
                b.kamailio = k;
                b.accounts = Integer.MAX_VALUE;
                b.idleHeap(10_000);
            }
        }
        // 100k instances over 1,000 accounts (100 bindings per AoR), as db_text cannot hold 100k users
        // a fresh registrar for each: bindings left by the previous phase would double the AoRs' size
        if (phases.contains("big-idle")) {
            try (Kamailio k = new Kamailio(users(1_000), 4)) {
                b.kamailio = k;
                b.accounts = 1_000;
                b.idleHeap(big);
            }
        }
        if (phases.contains("big-loaded")) {
            try (Kamailio k = new Kamailio(users(1_000), 4)) {
                b.kamailio = k;
                b.accounts = 1_000;
                b.loadedHeap(big);
            }
        }
        System.out.println();
        System.out.println("| Measure | Result |");
        System.out.println("|---|---|");
        b.results.forEach((k2, v) -> System.out.println("| " + k2 + " | " + v + " |"));
    }

    private static Map<String, String> users(int n) {
        Map<String, String> users = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            users.put("u" + i, "pw" + i);
        }
        return users;
    }

    private RegistrationEngine engine(int expires, double refreshAt, boolean preemptive, double rate,
                                      List<ThreadOwner> owners) throws Exception {
        RegistrationSettings rs = new RegistrationSettings(rate, rate, 500, refreshAt, 0.1,
                Duration.ofSeconds(expires), Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(240), Duration.ofSeconds(300), Duration.ofSeconds(1200), Duration.ofSeconds(1));
        // as RegistrationEngines.create: owners on the transport's I/O loops (availableProcessors / 2),
        // unless -Dbench.owners=N asks for N owner threads of their own (the former production form)
        int threads = Integer.getInteger("bench.owners", 0);
        for (int i = 0; i < threads; i++) {
            owners.add(new ThreadOwner("sipis-sip-owner-" + phase + "-" + i));
        }
        phase++;
        int io = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        TransportConfig tc = new TransportConfig("127.0.0.1", io, Optional.empty(), List.of(), false,
                Duration.ofSeconds(30), Duration.ofSeconds(5));
        EngineConfig cfg = new EngineConfig("bench", Optional.empty(), "SIPIS-bench", rs, tc, Clock.systemUTC(),
                new ArrayList<Owner>(owners), Optional.empty(), new DnsjavaLookup(), Runnable::run, new SecureRandom(),
                preemptive, 500, EngineHarness.LOOPBACK);
        return RegistrationEngines.open(cfg, s -> { });
    }

    private void registerAll(RegistrationEngine e, int from, int n) {
        for (int i = from; i < from + n; i++) {
            int u = i % accounts;
            SipAccount a = new SipAccount("u" + u, "u" + u, Secret.of("pw" + u), "127.0.0.1", Optional.of("127.0.0.1"),
                    kamailio.port(), SipAccount.Transport.UDP, "", Optional.empty());
            e.register(new InstanceRecord(String.format("%010X", i), "bench", false, a, Secret.of("x"), List.of(),
                    java.time.Instant.now(), false), Optional.empty());
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> registered(e) >= n * 0.98);
        } catch (ConditionTimeoutException late) {
            // measured as is: the line below says how many made it
        }
        System.err.printf("registered %d of %d; %s%n", registered(e), n, e.stats());
    }

    /**
     * Waits until the engine has seen {@code count} more 200s: the phases' warm-ups and windows
     * are a number of refreshes (the rate follows from the time they took), not a fixed time.
     */
    private static void awaitRefreshes(RegistrationEngine e, long count, Duration atMost) {
        long target = ok(e.stats()) + count;
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> ok(e.stats()) >= target);
    }

    private static long ok(EngineStats s) {
        return s.responsesByCode().getOrDefault(200, 0L);
    }

    private static long registered(RegistrationEngine e) {
        return e.snapshot().stream().filter(s -> s.state() == RegistrationState.REGISTERED).count();
    }

    /** Offered load above capacity: expires 10 s, refresh at 50 %, full digest each time. */
    private void saturation(int n, int seconds) throws Exception {
        List<ThreadOwner> owners = new ArrayList<>();
        RegistrationEngine e = engine(10, 0.5, false, SATURATION_RATE, owners);
        registerAll(e, 0, n);
        awaitRefreshes(e, n, Duration.ofSeconds(60)); // warm-up: every instance refreshed once
        e.resetLatencies();
        EngineStats a = e.stats();
        long t0 = System.nanoTime();
        String probed;
        Map<String, Long> threads0 = threadCpu();
        long cpu0 = OS.getProcessCpuTime();
        try (OptionsProbe probe = new OptionsProbe(kamailio.port())) {
            // the window: about `seconds` at the ~3,000 refreshes/s the registrar sustains
            awaitRefreshes(e, seconds * 3_000L, Duration.ofSeconds(seconds * 4L));
            probed = probe.summary();
        }
        printThreadCpu(threads0, threadCpu(), OS.getProcessCpuTime() - cpu0);
        EngineStats b = e.stats();
        double dt = (System.nanoTime() - t0) / 1e9;
        long ok = ok(b) - ok(a);
        long ch = b.responsesByCode().getOrDefault(401, 0L) - a.responsesByCode().getOrDefault(401, 0L);
        results.put("Digest refreshes (REGISTER, 401, REGISTER, 200), " + n + " instances (" + accounts
                        + " accounts) offering " + (n / 5)
                        + " refreshes/s, throttle " + (int) SATURATION_RATE + "/s, 500 in flight",
                String.format("%.0f refreshes/s = **%.0f REGISTER transactions/s**, p50 %d ms, **p99 %d ms**, "
                        + "retransmissions %d, timeouts %d", ok / dt, (ok + ch) / dt, e.latencyMillis(0.5),
                        e.latencyMillis(0.99), b.retransmissions() - a.retransmissions(), b.timeouts() - a.timeouts()));
        results.put("Registrar's own answer time during that window (OPTIONS every 20 ms from another socket)", probed);
        close(e, owners);
    }

    /** 10k instances, expires 10 s, refresh at 50 % = about 2,000 refreshes/s with a cached challenge. */
    private void cpuAtTwoThousandPerSecond(int n, int seconds) throws Exception {
        List<ThreadOwner> owners = new ArrayList<>();
        long base = heapAfterGc();
        RegistrationEngine e = engine(10, 0.5, true, 100_000, owners);
        registerAll(e, 0, n);
        awaitRefreshes(e, n, Duration.ofSeconds(60)); // warm-up: every instance refreshed once
        e.resetLatencies();
        EngineStats a = e.stats();
        Map<String, Long> threads0 = threadCpu();
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        // the window: each instance refreshes every 5 s, so `seconds` of load is seconds * n / 5 refreshes
        awaitRefreshes(e, seconds * (long) n / 5, Duration.ofSeconds(seconds * 4L));
        long cpu = OS.getProcessCpuTime() - cpu0;
        printThreadCpu(threads0, threadCpu(), cpu);
        EngineStats b = e.stats();
        double dt = (System.nanoTime() - t0) / 1e9;
        long ok = ok(b) - ok(a);
        results.put("Refreshes with cached challenge, " + n + " instances" + (accounts < n ? " (" + accounts
                + " accounts)" : ""), String.format(
                "%.0f refreshes/s, p99 %d ms, **%.2f CPU-s per 10,000 refreshes** (whole JVM)", ok / dt,
                e.latencyMillis(0.99), cpu / 1e9 / ok * 10_000));
        long during = heapAfterGc();
        results.put("Heap per instance during ~2,000 refreshes/s, " + n + " instances",
                String.format("**%d bytes**", (during - base) / n));
        close(e, owners);
    }

    private void idleHeap(int n) throws Exception {
        List<ThreadOwner> owners = new ArrayList<>();
        long base = heapAfterGc();
        RegistrationEngine e = engine(3600, 0.9, true, 3_000, owners);
        long t0 = System.nanoTime();
        registerAll(e, 0, n);
        double dt = (System.nanoTime() - t0) / 1e9;
        long used = heapAfterGc();
        results.put("Heap per registered instance, idle, " + n + " instances"
                + (accounts < n ? " (" + accounts + " accounts)" : ""), String.format(
                "**%d bytes** (registered %d in %.1f s, %.0f/s)", (used - base) / n, registered(e), dt, registered(e) / dt));
        close(e, owners);
    }

    /** {@code n} instances with expires n/1000 s refreshing at 50 %: about 2,000 refreshes/s. */
    private void loadedHeap(int n) throws Exception {
        List<ThreadOwner> owners = new ArrayList<>();
        long base = heapAfterGc();
        RegistrationEngine e = engine(Math.max(10, n / 1000), 0.5, true, 5_000, owners);
        registerAll(e, 0, n);
        // into the first refresh wave (registration took n / 5,000 s, so refreshes come in a wave as wide):
        // measured while refreshes flow, not in the lull after it
        awaitRefreshes(e, n / 4, Duration.ofSeconds(300));
        EngineStats a = e.stats();
        long t0 = System.nanoTime();
        long used = heapAfterGc();
        awaitRefreshes(e, 20_000, Duration.ofSeconds(60));
        EngineStats b = e.stats();
        double dt = (System.nanoTime() - t0) / 1e9;
        long ok = ok(b) - ok(a);
        results.put("Heap per instance during refreshes, " + n + " instances" + (accounts < n ? " (" + accounts
                + " accounts)" : ""), String.format("**%d bytes** at %.0f refreshes/s", (used - base) / n, ok / dt));
        close(e, owners);
    }

    /** CPU time of live threads, summed by name with trailing digits dropped (where the CPU goes). */
    private static Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti != null) {
                long t = mx.getThreadCpuTime(ti.getThreadId());
                if (t > 0) {
                    out.merge(ti.getThreadName().replaceAll("[-#]?\\d+$", ""), t, Long::sum);
                }
            }
        }
        return out;
    }

    private static void printThreadCpu(Map<String, Long> before, Map<String, Long> after, long processCpu) {
        StringBuilder b = new StringBuilder("CPU by thread group over the window (ms):");
        long sum = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1_000_000;
            sum += d;
            if (d > 0) {
                b.append(' ').append(e.getKey()).append('=').append(d);
            }
        }
        b.append("; Java threads ").append(sum).append(", process ").append(processCpu / 1_000_000)
                .append(" (the rest: GC, JIT and other VM threads)");
        System.err.println(b);
    }

    private static long heapAfterGc() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc(); // a full, synchronous collection with G1 (no -XX:+ExplicitGCInvokesConcurrent)
            Runtime r = Runtime.getRuntime();
            best = Math.min(best, r.totalMemory() - r.freeMemory());
        }
        return best;
    }

    private static void close(RegistrationEngine e, List<ThreadOwner> owners) {
        e.close();
        owners.forEach(ThreadOwner::close);
    }
}
