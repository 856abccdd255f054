package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.OpenString;

/**
 * {@code sipis db init} over JDBC against a real PostgreSQL: the role and database are created
 * once, a second run changes nothing but the password, and the role can then run the schema
 * migrations and use the store without being a superuser.
 */
@Timeout(120)
class DatabaseSetupTest {

    static TestPg pg;

    @BeforeAll
    static void start() {
        pg = TestPg.start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void createsTheRoleAndDatabaseIdempotentlyWithTheRightsTheMigrationsNeed() throws Exception {
        OpenString superuser = OpenString.parse("host=127.0.0.1 port=" + pg.port() + " user=postgres");
        OpenString app = OpenString.parse("host=127.0.0.1 port=" + pg.port() + " dbname=sipis_app user=sipis_app password='s3cr\\'et'");
        DatabaseSetup.Target t = DatabaseSetup.Target.of(app);
        List<String> first = DatabaseSetup.apply(superuser, t);
        assertThat(first).contains("role sipis_app: created (LOGIN)", "database sipis_app: created, owner sipis_app");
        List<String> second = DatabaseSetup.apply(superuser, t);
        assertThat(second).contains("role sipis_app: password set again (LOGIN)", "database sipis_app: exists");
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolsuper, rolcanlogin, rolcreatedb FROM pg_roles WHERE rolname = 'sipis_app'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("not a superuser").isFalse();
            assertThat(rs.getBoolean(2)).isTrue();
            assertThat(rs.getBoolean(3)).isFalse();
        }
        // the store migrates and works as that role
        try (Store store = TestPg.open(new DatabaseSettings(Optional.of(app), java.nio.file.Path.of("unused"), 2), "S1")) {
            assertThat(store.isDatabaseAvailable()).isTrue();
            store.saveRegistration(TestPg.record("0123456789ABCDEF0123456789ABCDEF01234567:89ABCDEF", "com.example", "pw")).join();
        }
    }

    @Test
    void thePsqlScriptHasEveryStepAndQuotesThePassword() {
        String sql = DatabaseSetup.psqlScript(new DatabaseSetup.Target("sipis", "it's", "sipis"));
        assertThat(sql).contains("\\set ON_ERROR_STOP on", "CREATE ROLE \"sipis\" LOGIN PASSWORD 'it''s'",
                "ALTER ROLE \"sipis\" LOGIN PASSWORD 'it''s'", "\\gexec", "GRANT CONNECT, CREATE, TEMPORARY ON DATABASE \"sipis\"",
                "\\connect \"sipis\"", "GRANT USAGE, CREATE ON SCHEMA public TO \"sipis\"");
    }

    @Test
    void refusesNamesThatWouldNeedQuotingAndAMissingPassword() {
        assertThatThrownBy(() -> new DatabaseSetup.Target("si\"pis", "x", "sipis")).hasMessageContaining("user=si\"pis must be");
        assertThatThrownBy(() -> DatabaseSetup.Target.of(OpenString.parse("host=h dbname=sipis user=sipis")))
                .hasMessageContaining("give a password= for user sipis");
    }
}
