package org.opensipis.core.settings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.opensipis.core.xml.Suggest;

/**
 * A libpq connection string in key=value form ({@code Database[OpenString]}), e.g.
 * {@code host=db1,db2 port=5432 dbname=sipis user=sipis password='it\'s secret'}.
 *
 * <p>Values may be single-quoted; inside and outside quotes a backslash escapes the next
 * character. Several hosts ({@code host=a,b}) let a promoted standby be found. The password
 * is never shown by {@link #toString()}.
 */
public final class OpenString {

    /** The libpq keywords we accept; others are refused with a hint, as libpq does. */
    static final Set<String> KEYWORDS = Set.of("host", "hostaddr", "port", "dbname", "user", "password",
            "passfile", "connect_timeout", "client_encoding", "options", "application_name",
            "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
            "keepalives_count", "tcp_user_timeout", "sslmode", "sslcert", "sslkey", "sslpassword",
            "sslrootcert", "sslcrl", "target_session_attrs", "load_balance_hosts", "gssencmode");

    private final Map<String, String> values;

    private OpenString(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Parses the string.
     *
     * @throws IllegalArgumentException with a message that says what is wrong and where
     */
    public static OpenString parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int keyStart = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(keyStart, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw new IllegalArgumentException("a libpq open string of key=value pairs; \"" + key
                        + "\" at character " + (keyStart + 1) + " has no '='");
            }
            if (!KEYWORDS.contains(key)) {
                throw new IllegalArgumentException("a libpq open string; unknown keyword \"" + key + "\""
                        + Suggest.closest(key, KEYWORDS).map(k -> " (did you mean " + k + "?)").orElse(""));
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                int quoteAt = i;
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        v.append(s.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("a libpq open string; the quote opened at character "
                            + (quoteAt + 1) + " for " + key + " is never closed");
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        v.append(s.charAt(i++));
                    } else {
                        v.append(c);
                    }
                }
            }
            out.put(key, v.toString());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("a libpq open string such as \"host=127.0.0.1 dbname=sipis user=sipis\"");
        }
        return new OpenString(out);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Map<String, String> values() {
        return values;
    }

    /** The hosts of {@code host=a,b,c} (default localhost). */
    public List<String> hosts() {
        return List.of(values.getOrDefault("host", "localhost").split(","));
    }

    /** The ports, one per host or one for all (default 5432). */
    public List<String> ports() {
        return List.of(values.getOrDefault("port", "5432").split(","));
    }

    /** The same string with the password masked, for logs and {@code sipis check}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            String v = e.getKey().equals("password") || e.getKey().equals("sslpassword") ? Secret.MASK : e.getValue();
            b.append(e.getKey()).append('=');
            if (v.isEmpty() || v.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '\\')) {
                b.append('\'').append(v.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
            } else {
                b.append(v);
            }
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpenString && ((OpenString) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
