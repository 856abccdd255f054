package org.opensipis.drills;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The provider: Kamailio 5.6 as registrar (digest, usrloc) and proxy, run by
 * scripts/drills/kamailio.sh on a fixed loopback port so that a restart keeps its address.
 * With {@code persist} usrloc is written to db_text and reloaded at start; otherwise bindings
 * live in memory only.
 */
final class Registrar implements AutoCloseable {

    static final String PASSWORD = "pw";
    final Path dir;
    final String address;
    final int port;
    private final List<String> prefix;
    /** REGISTERs on the wire (loopback registrars only). */
    private final WireCapture wire;
    private boolean running;

    Registrar(Path dir, int users, boolean persist) {
        this(dir, users, persist, "127.0.0.1", Sh.freePort(), List.of());
    }

    /** @param prefix how to run Kamailio, e.g. {@code ip netns exec NS} (its control socket is a file: reachable) */
    Registrar(Path dir, int users, boolean persist, String address, int port, List<String> prefix) {
        this.dir = dir;
        this.address = address;
        this.port = port;
        this.prefix = prefix;
        Sh.script("kamailio.sh", "init", dir, port, users, PASSWORD, persist ? "persist" : "memory", address);
        wire = prefix.isEmpty() ? new WireCapture(dir.resolve("register.pcap"), "lo", port) : null;
        start();
    }

    void start() {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Sh.script("kamailio.sh").toString(), "start", dir.toString()));
        Sh.run(cmd);
        running = true;
    }

    /** SIGTERM: Kamailio flushes usrloc (persist) and exits. */
    void stop() {
        Sh.script("kamailio.sh", "stop", dir);
        running = false;
    }

    /** {registered users, contacts}; {-1, -1} while Kamailio does not answer. */
    long[] stats() {
        try {
            // kamcmd directly (not through the script): this runs every 250 ms
            Process p = new ProcessBuilder("kamcmd", "-s", "unix:" + dir.resolve("kamailio_ctl"), "stats.get_statistics",
                    "registered_users", "location_contacts").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                return new long[] {-1, -1};
            }
            long users = -1;
            long contacts = -1;
            for (String line : out.split("\n")) {
                String[] kv = line.split("=");
                if (kv.length == 2 && kv[0].contains("registered_users")) {
                    users = Long.parseLong(kv[1].strip());
                } else if (kv.length == 2 && kv[0].contains("location_contacts")) {
                    contacts = Long.parseLong(kv[1].strip());
                }
            }
            return new long[] {users, contacts};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new long[] {-1, -1};
        }
    }

    /** Arrival times (epoch microseconds) of every REGISTER Kamailio received, from its log. */
    List<Long> registerTimes() {
        List<Long> times = new ArrayList<>();
        try (var lines = Files.lines(dir.resolve("kamailio.log"), StandardCharsets.ISO_8859_1)) {
            lines.forEach(l -> {
                int i = l.indexOf("REG ");
                if (i >= 0) {
                    String[] f = l.substring(i + 4).split(" ");
                    String[] t = f[0].split("\\.");
                    if (t.length == 2) {
                        times.add(Long.parseLong(t[0]) * 1_000_000L + Long.parseLong(t[1]));
                    }
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir.resolve("kamailio.log") + ": " + e.getMessage(), e);
        }
        times.sort(null);
        return times;
    }

    /**
     * Users whose record held more than one live contact right after one of their REGISTERs between
     * the two epoch-ms bounds (Kamailio logs "DUP <epoch.usec> <user> <live> <all>" after each save
     * that leaves an AoR with several unexpired contacts). A second contact can only come from a
     * REGISTER, so this sees every duplicate, however short-lived, without sampling; usrloc's
     * statistics (contacts − users, see {@link Sampler}) are not exact while a restarted registrar
     * with persisted bindings expires what it loaded. An expired contact still in memory is not a
     * duplicate (lookup() never forks to it): a restarted Kamailio may add one it is still loading
     * from its database after it saved the fresh REGISTER of the same contact (logged as STALE).
     */
    java.util.Set<String> duplicateUsers(long fromMillis, long toMillis) {
        java.util.Set<String> users = new java.util.TreeSet<>();
        try (var lines = Files.lines(dir.resolve("kamailio.log"), StandardCharsets.ISO_8859_1)) {
            lines.forEach(l -> {
                int i = l.indexOf("DUP ");
                if (i >= 0) {
                    String[] f = l.substring(i + 4).split(" ");
                    String[] t = f[0].split("\\.");
                    if (f.length >= 2 && t.length == 2) {
                        long micros = Long.parseLong(t[0]) * 1_000_000L + Long.parseLong(t[1]);
                        if (micros >= fromMillis * 1000 && micros <= toMillis * 1000) {
                            users.add(f[1]);
                        }
                    }
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir.resolve("kamailio.log") + ": " + e.getMessage(), e);
        }
        return users;
    }

    /** The most REGISTERs in any sliding one-second window between the two epoch-ms bounds. */
    int busiestSecond(long fromMillis, long toMillis) {
        return busiest(registerTimes(), fromMillis, toMillis);
    }

    /** The same, counted on the wire (packet arrival), or -1 without a capture. */
    int busiestSecondOnTheWire(long fromMillis, long toMillis) {
        List<Long> times = wire == null ? List.of() : wire.registerTimes();
        return times.isEmpty() ? -1 : busiest(times, fromMillis, toMillis);
    }

    private static int busiest(List<Long> times, long fromMillis, long toMillis) {
        List<Long> t = times.stream().filter(x -> x >= fromMillis * 1000 && x <= toMillis * 1000).toList();
        int best = 0;
        int lo = 0;
        for (int hi = 0; hi < t.size(); hi++) {
            while (t.get(hi) - t.get(lo) >= 1_000_000L) {
                lo++;
            }
            best = Math.max(best, hi - lo + 1);
        }
        return best;
    }

    @Override
    public void close() {
        if (wire != null) {
            wire.close();
        }
        if (running) {
            Sh.script("kamailio.sh", "kill", dir);
            running = false;
        }
    }
}
