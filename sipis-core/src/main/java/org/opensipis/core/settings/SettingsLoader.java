package org.opensipis.core.settings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.xml.ElementReader;
import org.opensipis.core.xml.Problem;
import org.opensipis.core.xml.Problems;
import org.opensipis.core.xml.XmlException;
import org.opensipis.core.xml.XmlNode;

/**
 * Builds {@link Settings} from a {@code Settings*.xml} and its {@code Defaults} chain.
 * Element and attribute names are matched case-insensitively ({@code <sipis><server name>}
 * and {@code <Sipis><Server Name>} load identically). Every problem is collected and
 * reported at once in a {@link SettingsException}; unknown names are warnings.
 */
public final class SettingsLoader {

    public static final Path DEFAULT_LB2_FILE = Path.of("/etc/acrobits/LoadBalancer2/Settings.xml");

    /** A loaded configuration and the warnings found while reading it. */
    public record Loaded(Settings settings, List<Problem> warnings, XmlNode mergedTree) {
    }

    private SettingsLoader() {
    }

    public static Loaded load(Path file) throws SettingsException {
        DefaultsChain.Merged merged;
        try {
            merged = DefaultsChain.load(file);
        } catch (XmlException e) {
            Problems p = new Problems();
            p.error(e.file(), e.line(), "", e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
            throw new SettingsException(file, p.all());
        }
        Problems problems = new Problems();
        XmlNode rootNode = merged.root();
        if (!rootNode.key().equals("sipis")) {
            problems.error(rootNode.file(), rootNode.line(), rootNode.name(),
                    "the root element must be <Sipis>, found <" + rootNode.name() + ">");
            throw new SettingsException(file, problems.all());
        }
        ElementReader root = ElementReader.root(rootNode, problems);
        root.optString("Defaults");
        Settings settings = read(file.toAbsolutePath().normalize(), merged.files(), root);
        root.reportUnknown();
        if (problems.hasErrors()) {
            throw new SettingsException(file, problems.all());
        }
        return new Loaded(settings, problems.warnings(), rootNode);
    }

    private static Settings read(Path file, List<Path> chain, ElementReader root) {
        Path dir = file.getParent();
        ServerSettings server = server(root.child("Server"));
        HttpServerSettings http = http(root.child("HttpServer"));
        ElementReader admin = root.child("Administrator");
        AdministratorSettings administrator = new AdministratorSettings(admin.string("UserName", "admin"),
                Secret.of(admin.string("Password", "")));
        DatabaseSettings database = database(root.child("Database"), dir);
        ElementReader lockEl = root.child("Lock");
        LockSettings lock = new LockSettings(lockEl.optPath("FileName").orElse(Path.of("/var/run/sipis/sipis.lock")));
        LogSettings log = log(root.child("Log"));
        List<PushRoute> push = NotificationServersReader.read(root.child("NotificationServers"));
        List<String> ignored = ignoredAppIds(root.child("IgnoredAppIds"));
        List<TlsClientCertificate> clientCerts = clientCertificates(root.child("TlsClientCertificates"));
        TlsServerOptions tlsServer = tlsServerOptions(root.child("TlsServerOptions"));
        Optional<Path> trusted = root.child("TrustedCertificates").optPath("FileName");
        InstanceSettings instance = instance(root.child("Instance"));
        IncomingCallSettings incomingCall = incomingCall(root.child("IncomingCall"));
        List<TextMessageFilter> filters = TextMessageFilterReader.read(root.child("IncomingTextMessage"));
        ElementReader pushTestEl = root.child("PushTest");
        PushTestSettings pushTest = new PushTestSettings(pushTestEl.yesNo("Enabled", true),
                pushTestEl.duration("MinAge", Duration.ofDays(7)));
        ElementReader dp = root.child("DataProtection");
        DataProtectionSettings dataProtection = new DataProtectionSettings(
                dp.optPath("KeyFileName").orElse(dir.resolve("sipis.key")), dp.yesNo("AcceptPlainRegistrations", true));
        ElementReader restartEl = root.child("Restart");
        RestartSettings restart = new RestartSettings(positive(restartEl, "SavePeriod", Duration.ofSeconds(1)),
                positive(restartEl, "PollPeriod", Duration.ofSeconds(30)));
        RegistrationSettings registration = registration(root.child("Registration"), server.port());
        Path lb2 = root.child("LoadBalancer2").optPath("FileName").orElse(DEFAULT_LB2_FILE);
        AbuseSettings abuse = AbuseSettingsReader.read(root);
        LeaseSettings lease = lease(root.child("Lease"));
        return new Settings(file, chain, server, http, administrator, database, lock, log, push, ignored,
                clientCerts, tlsServer, trusted, instance, incomingCall, filters, pushTest, dataProtection,
                restart, registration, lb2, abuse, lease);
    }

    private static LeaseSettings lease(ElementReader l) {
        LeaseSettings d = LeaseSettings.DEFAULTS;
        Duration duration = positive(l, "Duration", d.duration());
        Duration renew = positive(l, "RenewPeriod", d.renewPeriod());
        if (renew.multipliedBy(2).compareTo(duration) > 0) {
            l.error("<RenewPeriod> (" + renew.toSeconds() + " s) must be at most half of <Duration> ("
                    + duration.toSeconds() + " s), so that one lost renewal does not lose the lease");
            renew = duration.dividedBy(3);
        }
        Duration takeOverAfter = positive(l, "TakeOverAfter", d.takeOverAfter());
        if (takeOverAfter.compareTo(duration) < 0) {
            l.error("<TakeOverAfter> (" + takeOverAfter.toSeconds() + " s) must be at least <Duration> ("
                    + duration.toSeconds() + " s)");
            takeOverAfter = duration;
        }
        return new LeaseSettings(l.yesNo("Enabled", d.enabled()), duration, renew, l.yesNo("TakeOver", d.takeOver()),
                takeOverAfter);
    }

    private static ServerSettings server(ElementReader s) {
        if (!s.present()) {
            s.error("the <Server> element is missing; it must at least give the process a Name");
        }
        String name = s.required("Name");
        if (!name.isEmpty() && !name.matches("[A-Za-z0-9._-]{1,100}")) {
            s.bad("Name", name, "1 to 100 letters, digits, '.', '_' or '-' (it names lock/log files and database rows)");
        }
        String address = s.string("Address", "0.0.0.0");
        int port = s.port("Port", 14998);
        ServerSettings.Transport transport = s.choice("Transport", ServerSettings.Transport.TCP, ServerSettings.Transport.class);
        Optional<String> publicAddress = s.optString("PublicAddress").filter(v -> !v.isBlank());
        Optional<String> privateAddress = s.optString("PrivateAddress").filter(v -> !v.isBlank());
        s.optString("SimulateNatIp");
        boolean filter = s.yesNo("FilterInstancesAccordingToLoadBalancer2BackendSection", false);
        String realm = s.optString("Realm").filter(v -> !v.isBlank()).orElse(name);
        return new ServerSettings(name, address, port, transport, publicAddress, privateAddress, filter, realm);
    }

    private static HttpServerSettings http(ElementReader h) {
        return new HttpServerSettings(h.string("Address", "0.0.0.0"), h.port("Port", 5000),
                h.choice("AuthenticationMethod", HttpServerSettings.AuthenticationMethod.DIGEST,
                        HttpServerSettings.AuthenticationMethod.class));
    }

    private static DatabaseSettings database(ElementReader d, Path dir) {
        Optional<OpenString> open = Optional.empty();
        Optional<String> raw = d.optString("OpenString");
        if (raw.isPresent() && !raw.get().isBlank()) {
            try {
                open = Optional.of(OpenString.parse(raw.get()));
            } catch (IllegalArgumentException e) {
                // never echo the value: it may hold the database password
                d.error("[OpenString] is not valid; expected " + e.getMessage());
            }
        }
        Path embedded = d.optPath("EmbeddedDirectory").orElse(dir.resolve("pgdata"));
        return new DatabaseSettings(open, embedded, d.integer("PoolSize", 8, 1, 200));
    }

    private static LogSettings log(ElementReader l) {
        Path file = l.optPath("FileName").orElse(Path.of("/var/log/sipis/sipis.log"));
        LogSettings.Level level = l.choice("Level", LogSettings.Level.INFO, LogSettings.Level.class);
        LogSettings.Stdio stdio = LogSettings.Stdio.NONE;
        LogSettings.Level stdioLevel = level;
        Optional<String> s = l.optString("Stdio");
        boolean stdioExplicit = s.isPresent() && !s.get().isBlank();
        if (s.isPresent()) {
            String v = s.get().trim().toLowerCase(java.util.Locale.ROOT);
            switch (v) {
                case "stdout":
                case "yes":
                    stdio = LogSettings.Stdio.STDOUT;
                    break;
                case "stderr":
                    stdio = LogSettings.Stdio.STDERR;
                    break;
                case "none":
                case "no":
                case "":
                    break;
                default:
                    LogSettings.Level threshold = null;
                    for (LogSettings.Level lv : LogSettings.Level.values()) {
                        if (lv.name().equalsIgnoreCase(v)) {
                            threshold = lv;
                        }
                    }
                    if (threshold == null) {
                        l.bad("Stdio", s.get(), "Stdout, Stderr, None, or a level (Error, Warning, Info, Debug, Trace)");
                    } else {
                        stdio = LogSettings.Stdio.STDOUT;
                        stdioLevel = threshold;
                    }
            }
        }
        Optional<String> instanceFile = l.optString("InstanceFileName");
        l.optString("Format");
        l.optString("InstanceFormat");
        l.optString("ProblematicInstancesAutomatically");
        l.ignore("Instance", "Http", "Email");
        LogSettings.Rolling d = LogSettings.Rolling.DEFAULT;
        LogSettings.Rolling rolling = new LogSettings.Rolling(l.integer("MaxFileSizeMb", d.maxFileSizeMb(), 1, 100_000),
                l.integer("MaxHistoryDays", d.maxHistoryDays(), 1, 3650),
                l.integer("TotalSizeCapMb", d.totalSizeCapMb(), 1, 10_000_000));
        boolean json = l.yesNo("Json", false);
        Optional<Path> config = l.optPath("ConfigFile");
        return new LogSettings(file, level, stdio, stdioLevel, stdioExplicit, instanceFile, rolling, json, config);
    }

    private static List<String> ignoredAppIds(ElementReader e) {
        List<String> out = new ArrayList<>();
        for (ElementReader a : e.children("AppId")) {
            String v = a.optString("Prefix").orElse(a.optString("Value").orElse(a.text())).trim();
            if (v.isEmpty()) {
                a.error("an <AppId> needs a Prefix attribute (or the app id as its text)");
            } else {
                out.add(v);
            }
        }
        return out;
    }

    private static List<TlsClientCertificate> clientCertificates(ElementReader e) {
        List<TlsClientCertificate> out = new ArrayList<>();
        for (ElementReader c : e.children("Certificate")) {
            String host = c.required("Host");
            Optional<Path> cert = c.optPath("FileName");
            Optional<Path> key = c.optPath("RsaPrivateKeyFileName").or(() -> c.optPath("PrivateKeyFileName"));
            if (cert.isEmpty()) {
                c.error("a client certificate needs FileName");
            }
            if (key.isEmpty()) {
                c.error("a client certificate needs RsaPrivateKeyFileName");
            }
            if (cert.isPresent() && key.isPresent()) {
                out.add(new TlsClientCertificate(host, cert.get(), key.get()));
            }
        }
        return out;
    }

    /**
     * Reads TLS options in the shape of LB2's {@code DefaultTlsOptions} (also used by
     * {@code TlsServerOptions}): {@code MinVersion}, {@code MaxVersion}, {@code Certificate[FileName]},
     * {@code PrivateKey[FileName]}, {@code CipherSuites} text.
     */
    public static TlsServerOptions tlsServerOptions(ElementReader t) {
        String min = t.string("MinVersion", "1.2");
        String max = t.string("MaxVersion", "1.3");
        t.optString("MinRsaModulusSizeInBits");
        t.optString("MinDhModulusSizeInBits");
        Optional<Path> cert = t.child("Certificate").optPath("FileName");
        Optional<Path> key = t.child("PrivateKey").optPath("FileName");
        List<String> suites = new ArrayList<>();
        for (String s : t.child("CipherSuites").text().split("\\s+")) {
            if (!s.isBlank()) {
                suites.add(s);
            }
        }
        t.ignore("EllipticCurves");
        return new TlsServerOptions(min, max, cert, key, suites);
    }

    private static InstanceSettings instance(ElementReader i) {
        String ua = i.string("UserAgent", "SIPIS");
        Duration maxAge = positive(i, "MaxAge", Duration.ofDays(3));
        Duration premiumMaxAge = positive(i, "PremiumMaxAge", Duration.ofDays(7));
        Duration notRegistered = positive(i, "NotRegisteredMaxAge", Duration.ofHours(12));
        // Two accepted forms: <AboutToExpireIn><Silent Hours="24"/><Intrusive Hours="12"/></AboutToExpireIn>,
        // and the older <AboutToExpireIn Minutes="4"><Silent Minutes="1"/></AboutToExpireIn>
        // where the element's own duration is the intrusive one.
        ElementReader in = i.child("AboutToExpireIn");
        Duration intrusiveOwn = in.ownDuration(Duration.ofHours(12));
        Duration silentIn = in.duration("Silent", Duration.ofHours(24));
        Duration intrusiveIn = in.duration("Intrusive", intrusiveOwn);
        ElementReader period = i.child("AboutToExpirePeriod");
        Duration periodOwn = period.ownDuration(Duration.ofHours(11));
        Duration silentPeriod = period.duration("Silent", Duration.ofHours(1));
        Duration intrusivePeriod = period.duration("Intrusive", periodOwn);
        if (silentPeriod.isZero() || intrusivePeriod.isZero()) {
            period.error("the about-to-expire periods must be longer than zero");
        }
        ElementReader ka = i.child("KeepAlivePackets");
        boolean keepAlive = ka.yesNo("Enabled", true);
        Duration keepAlivePeriod = ka.duration("Period", Duration.ofSeconds(30));
        if (keepAlive && keepAlivePeriod.compareTo(Duration.ofSeconds(5)) < 0) {
            ka.error("[Period] must be at least 5 seconds, was " + keepAlivePeriod.toSeconds() + " s");
        }
        return new InstanceSettings(ua, maxAge, premiumMaxAge, notRegistered, silentIn, silentPeriod,
                intrusiveIn, intrusivePeriod, keepAlive, keepAlivePeriod);
    }

    private static IncomingCallSettings incomingCall(ElementReader c) {
        Duration t1 = positive(c, "NotAnsweredMaxAge", Duration.ofMinutes(2));
        Duration t2 = positive(c, "DeviceMakingProgressMaxAge", t1);
        ElementReader onNo = c.child("OnNoResponseFromDevice");
        RejectWith reject = rejectWith(onNo.child("RejectWith"), new RejectWith(480, "Temporarily Unavailable"));
        return new IncomingCallSettings(t1, t2, reject);
    }

    static RejectWith rejectWith(ElementReader r, RejectWith def) {
        if (!r.present()) {
            return def;
        }
        int code = r.integer("Code", def.code(), 300, 699);
        return new RejectWith(code, r.string("Phrase", def.phrase()));
    }

    private static RegistrationSettings registration(ElementReader r, int serverPort) {
        double global = r.decimal("GlobalRate", 500, 0.1, 100_000);
        double perRegistrar = r.decimal("PerRegistrarRate", 100, 0.1, 100_000);
        int inFlight = r.integer("MaxInFlight", 1000, 1, 1_000_000);
        double refreshAt = r.decimal("RefreshAt", 0.8, 0.1, 0.95);
        double jitter = r.decimal("Jitter", 0.05, 0, 0.5);
        Duration expires = positive(r, "DefaultExpires", Duration.ofSeconds(3600));
        Duration tMin = positive(r, "TransientRetryMin", Duration.ofSeconds(5));
        Duration tMax = positive(r, "TransientRetryMax", Duration.ofMinutes(5));
        Duration aMin = positive(r, "AuthRetryMin", Duration.ofMinutes(1));
        Duration aMax = positive(r, "AuthRetryMax", Duration.ofHours(1));
        Duration fMin = positive(r, "FatalRetryMin", Duration.ofMinutes(5));
        Duration fMax = positive(r, "FatalRetryMax", Duration.ofHours(6));
        Duration shutdown = positive(r, "ShutdownTimeout", Duration.ofSeconds(10));
        if (perRegistrar > global) {
            r.warning("PerRegistrarRate (" + perRegistrar + "/s) is above GlobalRate (" + global
                    + "/s); the global rate is the effective limit");
        }
        checkOrder(r, "TransientRetryMin", tMin, "TransientRetryMax", tMax);
        checkOrder(r, "AuthRetryMin", aMin, "AuthRetryMax", aMax);
        checkOrder(r, "FatalRetryMin", fMin, "FatalRetryMax", fMax);
        String address = r.string("Address", "0.0.0.0");
        // one port per process by default, next to its app-leg port (which sipis plan already makes distinct)
        int derivedPort = serverPort < 65535 ? serverPort + 1 : serverPort - 1;
        int port = r.integer("Port", derivedPort, 0, 65535);
        boolean unregisterOnStop = r.yesNo("UnregisterOnStop", false);
        return new RegistrationSettings(global, perRegistrar, inFlight, refreshAt, jitter, expires, tMin, tMax,
                aMin, aMax, fMin, fMax, shutdown, address, port, unregisterOnStop);
    }

    private static void checkOrder(ElementReader r, String minName, Duration min, String maxName, Duration max) {
        if (min.compareTo(max) > 0) {
            r.error(minName + " (" + min.toSeconds() + " s) is longer than " + maxName + " (" + max.toSeconds() + " s)");
        }
    }

    /** A duration child that must be longer than zero. */
    static Duration positive(ElementReader parent, String name, Duration def) {
        Duration d = parent.duration(name, def);
        if (d.isZero() || d.isNegative()) {
            parent.error("<" + name + "> must be longer than zero");
            return def;
        }
        return d;
    }

    static Optional<URI> uri(ElementReader e, String name) {
        return e.parsed(name, v -> {
            URI u = URI.create(v.trim());
            if (u.getScheme() == null || u.getHost() == null) {
                throw new IllegalArgumentException("an absolute URL such as https://host:port/path");
            }
            return u;
        });
    }
}
