package org.opensipis.server.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of this JVM and of a process tree (PostgreSQL's postmaster and its backends), from /proc. */
final class ProcessCpu {

    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    private static final long TICKS = 100;

    private ProcessCpu() {
    }

    static long jvmNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** User + system CPU of {@code root} and its children (one level: the postmaster's backends), in ns. */
    static long treeNanos(long root) throws IOException {
        long ticks = ticks(root);
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && parent(p) == root) {
                    ticks += ticks(Long.parseLong(name));
                }
            }
        }
        return ticks * 1_000_000_000L / TICKS;
    }

    private static String[] stat(Path dir) {
        try {
            String s = Files.readString(dir.resolve("stat"));
            // the command name is in parentheses and may contain spaces: split after it
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;   // the process ended meanwhile
        }
    }

    private static long parent(Path dir) {
        String[] f = stat(dir);
        return f == null ? -1 : Long.parseLong(f[1]);
    }

    /** utime + stime + cutime + cstime (fields 14–17 of stat; here indexes 11–14 after the name). */
    private static long ticks(long pid) {
        String[] f = stat(Path.of("/proc", Long.toString(pid)));
        if (f == null) {
            return 0;
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
}
