package org.opensipis.drills;

import java.nio.file.Path;

/** A Debian PostgreSQL 15 cluster run by scripts/drills/pg.sh (as the postgres user). */
final class Pg implements AutoCloseable {

    final Path dir;
    final int port;
    private boolean running;

    private Pg(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.running = true;
    }

    static Pg primary(Path dir) {
        int port = Sh.freePort();
        Sh.script("pg.sh", "primary", dir, port);
        return new Pg(dir, port);
    }

    /** A streaming standby of {@code primary} (pg_basebackup -R). */
    static Pg standby(Path dir, Pg primary) {
        int port = Sh.freePort();
        Sh.script("pg.sh", "standby", dir, port, primary.port);
        return new Pg(dir, port);
    }

    /** A server someone else runs (e.g. Patroni): only queried, never stopped by {@link #close}. */
    static Pg attach(Path dir, int port) {
        Pg pg = new Pg(dir, port);
        pg.running = false;
        return pg;
    }

    void stop() {
        Sh.script("pg.sh", "stop", dir);
        running = false;
    }

    /** SIGKILL of the postmaster: a crash. */
    void kill() {
        Sh.script("pg.sh", "kill", dir);
        running = false;
    }

    void start() {
        Sh.script("pg.sh", "start", dir);
        running = true;
    }

    void promote() {
        Sh.script("pg.sh", "promote", dir);
    }

    /** Rows of a query on database sipis, columns separated by '|'. */
    String sql(String query) {
        return Sh.script("pg.sh", "psql", port, query).strip();
    }

    String openString() {
        return "host=127.0.0.1 port=" + port + " dbname=sipis user=postgres";
    }

    @Override
    public void close() {
        if (running) {
            try {
                Sh.script("pg.sh", "stop", dir);
            } catch (IllegalStateException e) {
                // already down (killed, or stopped by the drill's script): nothing to stop
            }
            running = false;
        }
    }
}
