package org.opensipis.server.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opensipis.sip.testing.Kamailio;

/**
 * Reads Kamailio's usrloc counters every 200 ms during a drill step: users with a binding
 * ({@code registered_users}), bindings ({@code location_contacts}; more than users means some
 * user has two, the make-before-break overlap) and REGISTERs received. The whole location table
 * is too large to dump over binrpc every 200 ms; which process holds each user's binding is
 * checked once per step with {@code ul.lookup}, and each instance's overlap is read from the
 * processes' own records (see {@code RebalanceIT}).
 */
final class RegistrarSampler {

    static final long PERIOD_MILLIS = 200;
    private static final Pattern USERS_STAT = Pattern.compile("registered_users = (\\d+)");
    private static final Pattern CONTACTS_STAT = Pattern.compile("location[-_]contacts = (\\d+)");
    private static final Pattern REGISTERS_STAT = Pattern.compile("rcv_requests_register = (\\d+)");
    private static final Pattern ADDRESS = Pattern.compile("Address:\\s*sips?:[^@\\s]+@[^:\\s;>]+:(\\d+)");

    /** One reading; -1 everywhere when kamcmd failed. */
    record Sample(long atMillis, long took, int users, int contacts, long registers) {
    }

    /** What a step looked like at the registrar. */
    record Figures(int samples, int failedSamples, long slowestSampleMillis, int minUsers, int maxSurplusContacts,
                   long registers, long busiestSecond) {
    }

    private final Kamailio kamailio;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private long t0;

    RegistrarSampler(Kamailio kamailio) {
        this.kamailio = kamailio;
    }

    void start() {
        t0 = System.currentTimeMillis();
        thread.scheduleAtFixedRate(this::sampleOnce, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Keeps sampling for {@code d} more (waiting on the sample count, not sleeping). */
    void collectFor(Duration d) {
        int before = samples.size();
        long want = d.toMillis() / PERIOD_MILLIS;
        await().atMost(d.multipliedBy(6)).pollInterval(Duration.ofMillis(100)).until(() -> samples.size() >= before + want);
    }

    void stop() throws InterruptedException {
        thread.shutdown();
        thread.awaitTermination(30, TimeUnit.SECONDS);
    }

    private void sampleOnce() {
        long start = System.currentTimeMillis();
        try {
            Sample s = read(kamailio);
            samples.add(new Sample(start - t0, System.currentTimeMillis() - start, s.users(), s.contacts(), s.registers()));
        } catch (Exception e) {
            samples.add(new Sample(start - t0, System.currentTimeMillis() - start, -1, -1, -1));
        }
    }

    static Sample read(Kamailio kamailio) throws Exception {
        String out = kamailio.kamcmd("stats.get_statistics", "registered_users", "location_contacts", "rcv_requests_register");
        Matcher u = USERS_STAT.matcher(out);
        Matcher c = CONTACTS_STAT.matcher(out);
        Matcher r = REGISTERS_STAT.matcher(out);
        if (!u.find() || !c.find() || !r.find()) {
            throw new IllegalStateException("unexpected kamcmd output: " + out);
        }
        return new Sample(0, 0, Integer.parseInt(u.group(1)), Integer.parseInt(c.group(1)), Long.parseLong(r.group(1)));
    }

    /** The Contact ports of one user's bindings ({@code ul.lookup}). */
    static List<Integer> ports(Kamailio kamailio, String user) throws Exception {
        List<Integer> out = new ArrayList<>(2);
        Matcher m = ADDRESS.matcher(kamailio.kamcmd("ul.lookup", "location", user));
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    Figures figures() {
        List<Sample> ok = samples.stream().filter(s -> s.users() >= 0).toList();
        long slowest = samples.stream().mapToLong(Sample::took).max().orElse(-1);
        int minUsers = ok.stream().mapToInt(Sample::users).min().orElse(-1);
        int surplus = ok.stream().mapToInt(s -> s.contacts() - s.users()).max().orElse(-1);
        long busiest = 0;
        for (int i = 0; i + 5 < ok.size(); i++) {
            busiest = Math.max(busiest, ok.get(i + 5).registers() - ok.get(i).registers());
        }
        long registers = ok.isEmpty() ? -1 : ok.get(ok.size() - 1).registers() - ok.get(0).registers();
        return new Figures(ok.size(), samples.size() - ok.size(), slowest, minUsers, surplus, registers, busiest);
    }
}
