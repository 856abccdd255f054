package org.opensipis.server.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to plan.
 *
 * @param hosts      machines (1 = the seed's single-machine layout)
 * @param perHost    SIPIS processes per machine
 * @param domain     the app's {@code sipisHost}, e.g. {@code sipis.example.com}
 * @param openString the libpq open string every process shares (goes to Defaults.xml)
 * @param privateNet private network for {@code Server[PrivateAddress]}, e.g. {@code 10} or
 *                   {@code 10.5} ({@code 10.x} is read as {@code 10}); empty = none
 * @param hostIps    the machines' addresses, in order; empty = the seed's {@code S0IP}, … placeholders
 * @param realm      the digest realm pinned in Defaults.xml (keep your current server name)
 * @param etcDir     where the settings files will live ({@code Defaults="…"} points there)
 * @param single     plan the move back to one process instead
 * @param tlsKey     nginx {@code ssl_certificate_key}
 * @param tlsCert    nginx {@code ssl_certificate}
 * @param lb2File    where the LB2 {@code Settings.xml} will live ({@code LoadBalancer2[FileName]}
 *                   is written to Defaults.xml only when it is not the default)
 * @param lockDir    directory of the lock files ({@code Lock[FileName]})
 * @param logDir     directory of the log files ({@code Log[FileName]})
 * @param adminPassword {@code Administrator[Password]} written to Defaults.xml (random by default)
 */
public record PlanRequest(int hosts, int perHost, String domain, String openString, Optional<String> privateNet,
                          List<String> hostIps, String realm, String etcDir, boolean single, String tlsKey,
                          String tlsCert, String lb2File, String lockDir, String logDir, String adminPassword) {

    public static final String DEFAULT_ETC_DIR = "/etc/sipis";
    public static final String DEFAULT_REALM = "Sipis";
    public static final String DEFAULT_LB2_FILE = "/etc/acrobits/LoadBalancer2/Settings.xml";
    public static final String DEFAULT_LOCK_DIR = "/var/run/sipis";
    public static final String DEFAULT_LOG_DIR = "/var/log/sipis";
    /** {@code Database[PoolSize]}'s default: each process holds this many connections, plus one for LISTEN. */
    public static final int POOL_SIZE = 8;
    /** PostgreSQL's default {@code max_connections} less its 3 {@code superuser_reserved_connections}. */
    public static final int POSTGRES_DEFAULT_CONNECTIONS = 97;

    public PlanRequest {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(openString, "openString");
        Objects.requireNonNull(privateNet, "privateNet");
        hostIps = List.copyOf(hostIps);
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(etcDir, "etcDir");
        Objects.requireNonNull(tlsKey, "tlsKey");
        Objects.requireNonNull(tlsCert, "tlsCert");
        Objects.requireNonNull(lb2File, "lb2File");
        Objects.requireNonNull(lockDir, "lockDir");
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(adminPassword, "adminPassword");
    }

    /** Database connections the whole plan holds: every process's pool and its LISTEN connection. */
    public int databaseConnections(int processes) {
        return processes * (POOL_SIZE + 1);
    }

    /** 24 random characters from an alphabet that needs no XML or shell quoting. */
    public static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        java.security.SecureRandom r = new java.security.SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** A request with the defaults for everything but the layout, domain and database. */
    public static PlanRequest of(int hosts, int perHost, String domain, String openString) {
        return new PlanRequest(hosts, perHost, domain, openString, Optional.empty(), List.of(), DEFAULT_REALM,
                DEFAULT_ETC_DIR, false, defaultTlsKey(domain), defaultTlsCert(domain), DEFAULT_LB2_FILE, DEFAULT_LOCK_DIR, DEFAULT_LOG_DIR,
                randomPassword());
    }

    static String defaultTlsKey(String domain) {
        return "/etc/ssl/private/all." + domain + ".key";
    }

    static String defaultTlsCert(String domain) {
        return "/etc/ssl/certs/all." + domain + ".pem";
    }

    public PlanRequest withPrivateNet(String net) {
        return new PlanRequest(hosts, perHost, domain, openString, Optional.of(net), hostIps, realm, etcDir, single,
                tlsKey, tlsCert, lb2File, lockDir, logDir, adminPassword);
    }

    public PlanRequest withHostIps(List<String> ips) {
        return new PlanRequest(hosts, perHost, domain, openString, privateNet, ips, realm, etcDir, single, tlsKey,
                tlsCert, lb2File, lockDir, logDir, adminPassword);
    }

    public PlanRequest withEtcDir(String dir) {
        return new PlanRequest(hosts, perHost, domain, openString, privateNet, hostIps, realm, dir, single, tlsKey,
                tlsCert, lb2File, lockDir, logDir, adminPassword);
    }

    public PlanRequest withRealm(String r) {
        return new PlanRequest(hosts, perHost, domain, openString, privateNet, hostIps, r, etcDir, single, tlsKey,
                tlsCert, lb2File, lockDir, logDir, adminPassword);
    }

    public PlanRequest withSingle(boolean s) {
        return new PlanRequest(hosts, perHost, domain, openString, privateNet, hostIps, realm, etcDir, s, tlsKey,
                tlsCert, lb2File, lockDir, logDir, adminPassword);
    }

    public PlanRequest withLb2File(String file) {
        return new PlanRequest(hosts, perHost, domain, openString, privateNet, hostIps, realm, etcDir, single, tlsKey,
                tlsCert, file, lockDir, logDir, adminPassword);
    }

    public PlanRequest withDirs(String locks, String logs) {
        return new PlanRequest(hosts, perHost, domain, openString, privateNet, hostIps, realm, etcDir, single, tlsKey,
                tlsCert, lb2File, locks, logs, adminPassword);
    }

    public PlanRequest withTls(String key, String cert) {
        return new PlanRequest(hosts, perHost, domain, openString, privateNet, hostIps, realm, etcDir, single, key,
                cert, lb2File, lockDir, logDir, adminPassword);
    }
}
