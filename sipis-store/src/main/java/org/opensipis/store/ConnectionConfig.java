package org.opensipis.store;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.opensipis.core.settings.OpenString;

/**
 * Turns a libpq open string ({@code Database[OpenString]}) into a pgjdbc URL and connection
 * properties. Several hosts ({@code host=a,b}) become a multi-host URL that looks for the
 * primary, so a promoted standby is found after a fail-over.
 *
 * @param url        the JDBC URL (no credentials in it)
 * @param properties user, password, SSL and other driver properties
 * @param shown      the open string with its password masked, for messages
 */
record ConnectionConfig(String url, Properties properties, String shown) {

    static final String SETTING = "Database[OpenString]";

    /**
     * @throws StoreException naming the setting and the keyword when pgjdbc cannot honour it
     */
    static ConnectionConfig from(OpenString open) {
        String shown = open.toString();
        Map<String, String> v = open.values();
        List<String> hosts = v.containsKey("hostaddr") ? List.of(v.get("hostaddr").split(",")) : open.hosts();
        List<String> ports = open.ports();
        if (ports.size() != 1 && ports.size() != hosts.size()) {
            throw bad(shown, hosts.size() + " hosts but " + ports.size() + " ports; give one port for all or one per host");
        }
        StringBuilder url = new StringBuilder("jdbc:postgresql://");
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i).trim();
            String port = (ports.size() == 1 ? ports.get(0) : ports.get(i)).trim();
            if (host.isEmpty()) {
                host = "localhost";
            }
            if (host.startsWith("/")) {
                throw bad(shown, "host=" + host + " is a Unix socket directory; use a TCP host name or address");
            }
            if (port.isEmpty()) {
                port = "5432";
            }
            if (!port.chars().allMatch(Character::isDigit) || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw bad(shown, "port \"" + port + "\" is not a port number 1..65535");
            }
            if (i > 0) {
                url.append(',');
            }
            url.append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host).append(':').append(port);
        }
        String user = v.getOrDefault("user", System.getProperty("user.name", "postgres"));
        String db = v.getOrDefault("dbname", user);
        url.append('/').append(urlEncode(db));
        Properties p = new Properties();
        p.setProperty("user", user);
        if (v.containsKey("password")) {
            p.setProperty("password", v.get("password"));
        }
        String target = v.get("target_session_attrs");
        if (target == null) {
            target = hosts.size() > 1 ? "primary" : "any";
        }
        p.setProperty("targetServerType", switch (target) {
            case "any" -> "any";
            case "read-write", "primary" -> "primary";
            case "read-only", "standby" -> "secondary";
            case "prefer-standby" -> "preferSecondary";
            default -> throw bad(shown, "target_session_attrs=" + target
                    + " is not one of any, read-write, primary, read-only, standby, prefer-standby");
        });
        map(v, p, shown);
        p.setProperty("reWriteBatchedInserts", "true");
        // Keep parameter values (sealed secrets, tokens) out of exception messages and so out of logs.
        p.setProperty("logServerErrorDetail", "false");
        p.putIfAbsent("ApplicationName", "sipis");
        return new ConnectionConfig(url.toString(), p, shown);
    }

    private static void map(Map<String, String> v, Properties p, String shown) {
        for (Map.Entry<String, String> e : v.entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case "sslmode" -> {
                    if (!List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full").contains(value)) {
                        throw bad(shown, "sslmode=" + value + " is not one of disable, allow, prefer, require, verify-ca, verify-full");
                    }
                    p.setProperty("sslmode", value);
                }
                case "sslcert", "sslkey", "sslrootcert", "sslpassword" -> p.setProperty(e.getKey(), value);
                case "connect_timeout" -> p.setProperty("connectTimeout", number(shown, e.getKey(), value));
                case "application_name" -> p.setProperty("ApplicationName", value);
                case "fallback_application_name" -> p.putIfAbsent("ApplicationName", value);
                case "options" -> p.setProperty("options", value);
                case "keepalives" -> p.setProperty("tcpKeepAlive", String.valueOf(!"0".equals(value)));
                case "load_balance_hosts" -> p.setProperty("loadBalanceHosts", String.valueOf("random".equals(value)));
                case "gssencmode" -> p.setProperty("gssEncMode", value);
                case "client_encoding" -> {
                    if (!value.equalsIgnoreCase("UTF8") && !value.equalsIgnoreCase("UTF-8")) {
                        throw bad(shown, "client_encoding=" + value + "; SIPIS always talks UTF8 to PostgreSQL");
                    }
                }
                case "passfile" -> throw bad(shown, "passfile is not supported; give password= in the open string"
                        + " (the settings file should be readable by the sipis user only)");
                case "sslcrl" -> throw bad(shown, "sslcrl is not supported by the Java driver");
                default -> {
                    // host, hostaddr, port, dbname, user, password, target_session_attrs: handled above;
                    // keepalives_* and tcp_user_timeout have no Java equivalent and are ignored.
                }
            }
        }
    }

    private static String number(String shown, String key, String value) {
        if (value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
            throw bad(shown, key + "=" + value + " is not a whole number of seconds");
        }
        return value;
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static StoreException bad(String shown, String why) {
        return new StoreException(SETTING + " \"" + shown + "\": " + why);
    }
}
