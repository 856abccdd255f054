package org.opensipis.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opensipis.core.settings.OpenString;

/**
 * {@code sipis db init}: creates, as a PostgreSQL superuser, the role and the database that a
 * {@code Database[OpenString]} names, with the rights the schema migrations need: the role
 * may log in with the open string's password and owns the database, so it may create tables,
 * indexes and functions in its {@code public} schema (PostgreSQL 15+ gives {@code public} to the
 * database owner) and LISTEN. Idempotent: an existing role gets the password again, an existing
 * database the grants. Names are restricted to letters, digits and {@code _} so that they need
 * no quoting tricks; the password never appears on a command line or in a message.
 */
public final class DatabaseSetup {

    /** What to create: from the settings' open string. */
    public record Target(String role, String password, String database) {
        public Target {
            check("user", role);
            check("dbname", database);
            if (password == null || password.isEmpty()) {
                throw new StoreException(ConnectionConfig.SETTING + ": give a password= for user " + role
                        + " (the role is created with it)");
            }
            if (password.contains(TAG)) {
                throw new StoreException(ConnectionConfig.SETTING + ": the password must not contain " + TAG);
            }
        }

        /** The role, database and password of an open string; user and dbname default to sipis. */
        public static Target of(OpenString open) {
            Map<String, String> v = open.values();
            String role = v.getOrDefault("user", "sipis");
            return new Target(role, v.getOrDefault("password", ""), v.getOrDefault("dbname", role));
        }
    }

    private static final String TAG = "$sipis_init$";

    private DatabaseSetup() {
    }

    private static void check(String what, String name) {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new StoreException(ConnectionConfig.SETTING + ": " + what + "=" + name
                    + " must be 1 to 63 letters, digits or '_' (not starting with a digit) for sipis db init");
        }
    }

    /** The script for {@code psql -v ON_ERROR_STOP=1} run by a superuser (stdin, never argv). */
    public static String psqlScript(Target t) {
        StringBuilder sb = new StringBuilder();
        sb.append("\\set ON_ERROR_STOP on\n");
        sb.append(roleBlock(t)).append(";\n");
        sb.append("SELECT 'CREATE DATABASE \"").append(t.database()).append("\" OWNER \"").append(t.role())
                .append("\" TEMPLATE template0 ENCODING ''UTF8'' LOCALE ''C''' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '")
                .append(t.database()).append("') \\gexec\n");
        for (String s : databaseGrants(t)) {
            sb.append(s).append(";\n");
        }
        sb.append("\\connect \"").append(t.database()).append("\"\n");
        for (String s : schemaGrants(t)) {
            sb.append(s).append(";\n");
        }
        return sb.toString();
    }

    /**
     * Runs the same statements over JDBC as the superuser of {@code superuser} (an open string
     * whose dbname, default {@code postgres}, is any existing database).
     *
     * @return what was done, one line each (no password)
     */
    public static List<String> apply(OpenString superuser, Target t) {
        List<String> done = new ArrayList<>();
        OpenString admin = superuser.values().containsKey("dbname") ? superuser : withDbname(superuser, "postgres");
        ConnectionConfig c = ConnectionConfig.from(admin);
        try (Connection conn = DriverManager.getConnection(c.url(), c.properties()); Statement s = conn.createStatement()) {
            boolean roleExisted = exists(conn, "SELECT 1 FROM pg_roles WHERE rolname = ?", t.role());
            s.execute(roleBlock(t));
            done.add((roleExisted ? "role " + t.role() + ": password set again" : "role " + t.role() + ": created") + " (LOGIN)");
            if (exists(conn, "SELECT 1 FROM pg_database WHERE datname = ?", t.database())) {
                done.add("database " + t.database() + ": exists");
            } else {
                s.execute("CREATE DATABASE \"" + t.database() + "\" OWNER \"" + t.role()
                        + "\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'");
                done.add("database " + t.database() + ": created, owner " + t.role());
            }
            for (String g : databaseGrants(t)) {
                s.execute(g);
            }
        } catch (SQLException e) {
            throw new StoreException("sipis db init as " + admin + ": " + Failures.describe(e), e);
        }
        ConnectionConfig db = ConnectionConfig.from(withDbname(admin, t.database()));
        try (Connection conn = DriverManager.getConnection(db.url(), db.properties()); Statement s = conn.createStatement()) {
            for (String g : schemaGrants(t)) {
                s.execute(g);
            }
            done.add("schema public of " + t.database() + ": usage and create granted to " + t.role());
        } catch (SQLException e) {
            throw new StoreException("sipis db init in database " + t.database() + ": " + Failures.describe(e), e);
        }
        return done;
    }

    private static String roleBlock(Target t) {
        String pw = "'" + t.password().replace("'", "''") + "'";
        return "DO " + TAG + " BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + t.role() + "') THEN "
                + "CREATE ROLE \"" + t.role() + "\" LOGIN PASSWORD " + pw + "; ELSE ALTER ROLE \"" + t.role()
                + "\" LOGIN PASSWORD " + pw + "; END IF; END " + TAG;
    }

    private static List<String> databaseGrants(Target t) {
        return List.of("GRANT CONNECT, CREATE, TEMPORARY ON DATABASE \"" + t.database() + "\" TO \"" + t.role() + "\"");
    }

    private static List<String> schemaGrants(Target t) {
        return List.of("GRANT USAGE, CREATE ON SCHEMA public TO \"" + t.role() + "\"");
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The same open string with another dbname (values re-quoted, password kept). */
    static OpenString withDbname(OpenString open, String dbname) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : open.values().entrySet()) {
            if (!e.getKey().equals("dbname")) {
                sb.append(e.getKey()).append("='").append(e.getValue().replace("\\", "\\\\").replace("'", "\\'")).append("' ");
            }
        }
        sb.append("dbname='").append(dbname).append("'");
        return OpenString.parse(sb.toString());
    }
}
