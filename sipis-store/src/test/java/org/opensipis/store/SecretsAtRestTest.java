package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.DatabaseSettings;
import org.postgresql.PGConnection;

/**
 * No SIP password or app secret appears in plain text in a dump of the database. The dump is
 * {@code COPY ... TO STDOUT} of every table (what pg_dump's data section is made of), because
 * zonky ships no pg_dump and Debian's pg_dump 15 refuses a PostgreSQL 18 server; when a
 * pg_dump that accepts the server is on the machine, its output is checked as well.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecretsAtRestTest {

    private static TestPg pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    @Test
    void noPlaintextSecretInADumpOfTheDatabase() throws Exception {
        DatabaseSettings db = pg.newDatabase();
        List<String> secrets = new ArrayList<>();
        try (Store store = TestPg.open(db, "Sipis1")) {
            for (int i = 0; i < 20; i++) {
                String sel = String.format("%040X", 0xC0FFEEL * (i + 1));
                String password = "Pl41n-P4ssw0rd-" + i + "-xyzzy";
                store.saveRegistration(TestPg.record(sel, "com.example", password)).get();
                secrets.add(password);
                secrets.add("app-secret-" + sel);
            }
            assertThat(store.find(String.format("%040X", 0xC0FFEEL)).get().orElseThrow().account().password().reveal())
                    .isEqualTo("Pl41n-P4ssw0rd-0-xyzzy");
        }
        String dump = copyDump(TestPg.dbname(db));
        assertThat(dump).contains("sip.example.org").contains("v1.");
        for (String s : secrets) {
            assertThat(dump).doesNotContain(s);
        }
        String pgDump = pgDump(TestPg.dbname(db));
        if (pgDump != null) {
            assertThat(pgDump).contains("sip.example.org");
            for (String s : secrets) {
                assertThat(pgDump).doesNotContain(s);
            }
        }
    }

    private static String copyDump(String dbname) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Connection c = pg.connect(dbname)) {
            List<String> tables = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT quote_ident(table_schema) || '.' "
                    + "|| quote_ident(table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                    + "AND table_schema NOT IN ('pg_catalog', 'information_schema')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("public.instances", "public.device_tokens");
            for (String t : tables) {
                out.write(("-- " + t + "\n").getBytes(StandardCharsets.UTF_8));
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + t + " TO STDOUT", out);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Debian's pg_dump, if installed and willing to dump this server; else null. */
    private static String pgDump(String dbname) throws IOException, InterruptedException {
        Path bin = Path.of("/usr/lib/postgresql/15/bin/pg_dump");
        if (!Files.isExecutable(bin)) {
            return null;
        }
        Process p = new ProcessBuilder(bin.toString(), "-h", "127.0.0.1", "-p", String.valueOf(pg.port()), "-U",
                "postgres", dbname).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            return null;   // "server version mismatch": PostgreSQL 18 is newer than pg_dump 15
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
