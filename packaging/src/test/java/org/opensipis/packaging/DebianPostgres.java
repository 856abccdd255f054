package org.opensipis.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

/**
 * Debian's PostgreSQL cluster for the install test: started if it is down (CI installs the
 * postgresql package; without systemd its cluster may not run), and put back as found: the
 * sipis database and role are dropped if the test created them, the cluster stopped if the test
 * started it.
 */
final class DebianPostgres {

    private String version;
    private String name;
    private boolean startedHere;
    private Boolean roleExisted;
    private Boolean databaseExisted;

    void ensureRunning() throws Exception {
        if (version != null) {
            return;
        }
        assumeTrue(Cmd.has("pg_lsclusters"), "Debian's postgresql is not installed (CI: .ci/install.d/40-packaging.sh)");
        Cmd.Result ls = Cmd.run(List.of("pg_lsclusters", "--no-header"));
        String line = ls.out().lines().filter(l -> l.contains(" 5432 ")).findFirst().orElse("");
        assumeTrue(!line.isEmpty(), "no PostgreSQL cluster on port 5432:\n" + ls.out());
        String[] f = line.trim().split("\\s+");
        version = f[0];
        name = f[1];
        if (!f[3].equals("online")) {
            Cmd.Result start = Cmd.run(List.of("pg_ctlcluster", version, name, "start"));
            assertThat(start.code()).as(start.all()).isZero();
            startedHere = true;
        }
        roleExisted = psql("SELECT count(*) FROM pg_roles WHERE rolname = 'sipis'").equals("1");
        databaseExisted = psql("SELECT count(*) FROM pg_database WHERE datname = 'sipis'").equals("1");
    }

    /** One value from a query run by the postgres superuser on the local socket. */
    String psql(String query) throws Exception {
        Cmd.Result r = Cmd.run(List.of("runuser", "-u", "postgres", "--", "psql", "-X", "-tAq", "-d", "postgres", "-c", query));
        assertThat(r.code()).as(r.all()).isZero();
        return r.out().trim();
    }

    void cleanUp() throws Exception {
        if (version == null) {
            return;
        }
        if (Boolean.FALSE.equals(databaseExisted)) {
            psql("DROP DATABASE IF EXISTS sipis");
        }
        if (Boolean.FALSE.equals(roleExisted)) {
            psql("DROP ROLE IF EXISTS sipis");
        }
        if (startedHere) {
            Cmd.run(List.of("pg_ctlcluster", version, name, "stop"));
        }
    }
}
