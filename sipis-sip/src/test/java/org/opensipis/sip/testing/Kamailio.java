package org.opensipis.sip.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Kamailio registrar with digest (passwords in an htable loaded from db_text, usrloc in memory) on free loopback
 * ports: UDP and TCP on one port, TLS on another, with a self-signed certificate made by openssl;
 * optionally a third, TLS port that requires a client certificate from a given CA list.
 * Users whose name starts with "q" are challenged with qop="auth", the others without qop.
 * Everything lives in a temporary directory; {@link #close} stops the process and deletes it.
 */
public final class Kamailio implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/kamailio");
    public static final Path KAMCMD = Path.of("/usr/sbin/kamcmd");

    private static final String CONFIG = """
            #!KAMAILIO
            debug=1
            log_stderror=yes
            children=@CHILDREN@
            tcp_children=2
            listen=udp:127.0.0.1:@PORT@
            listen=tcp:127.0.0.1:@PORT@
            listen=tls:127.0.0.1:@TLSPORT@
            @MTLSLISTEN@
            enable_tls=yes
            alias="127.0.0.1"
            mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
            loadmodule "kex.so"
            loadmodule "corex.so"
            loadmodule "tm.so"
            loadmodule "sl.so"
            loadmodule "pv.so"
            loadmodule "maxfwd.so"
            loadmodule "textops.so"
            loadmodule "siputils.so"
            loadmodule "xlog.so"
            loadmodule "sanity.so"
            loadmodule "db_text.so"
            loadmodule "usrloc.so"
            loadmodule "registrar.so"
            loadmodule "auth.so"
            loadmodule "htable.so"
            loadmodule "ctl.so"
            loadmodule "tls.so"
            modparam("tls", "config", "@DIR@/tls.cfg")
            modparam("ctl", "binrpc", "unix:@DIR@/kamailio_ctl")
            modparam("usrloc", "db_mode", 0)
            @CALLPARAMS@
            modparam("registrar", "min_expires", 5)
            # passwords in a hash table loaded once from db_text: auth_db over db_text scans the
            # whole subscriber table on every check, which caps a registrar of 100,000 users at
            # ~200 REGISTERs/s
            modparam("htable", "db_url", "text://@DIR@/db")
            modparam("htable", "htable", "users=>size=17;dbtable=htable;")
            request_route {
                if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
                if (!sanity_check("17895", "7")) { xlog("L_WARN", "malformed request from $si:$sp\\n"); exit; }
                if (is_method("REGISTER")) {
                    if (!pv_auth_check("$fd", "$sht(users=>$fU)", "0", "1")) {
                        if ($fU =~ "^q") { auth_challenge("$fd", "1"); } else { auth_challenge("$fd", "0"); }
                        exit;
                    }
                    consume_credentials();
                    if (!save("location")) { sl_reply_error(); }
                    exit;
                }
                if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
                @CALLS@
                sl_send_reply("404", "Not Here");
            }
            """;

    private static final String TLS_CFG = """
            [server:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            private_key = @DIR@/key.pem
            certificate = @DIR@/cert.pem
            [client:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            """;

    /** A second TLS listener that demands a client certificate issued by the given CA list. */
    private static final String MTLS_CFG = """
            [server:127.0.0.1:@MTLSPORT@]
            method = TLSv1.2+
            verify_certificate = yes
            require_certificate = yes
            verify_depth = 3
            ca_list = @CALIST@
            private_key = @DIR@/key.pem
            certificate = @DIR@/cert.pem
            """;

    private final Path dir;
    private final int port;
    private final int tlsPort;
    private final int mutualTlsPort;
    private final Process process;

    /**
     * With {@link #proxying}: INVITE and MESSAGE are routed to the bindings of the Request-URI's
     * user ({@code lookup("location")}, forking in parallel to every Contact) with {@code t_relay},
     * CANCEL and ACK follow their transaction, as the provider's proxy does for a callee.
     */
    private static final String CALLS = """
            if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
                if (is_method("ACK")) { if (t_check_trans() || has_totag()) { t_relay(); } exit; }
                if (is_method("INVITE|MESSAGE") && !has_totag()) {
                    t_check_trans();
                    if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
                    if (!t_relay()) { sl_reply_error(); }
                    exit;
                }""";

    /** Starts Kamailio with the given users as a registrar and a proxy for calls to them (see {@link #CALLS}). */
    public static Kamailio proxying(Map<String, String> users, int children) throws IOException, InterruptedException {
        return new Kamailio(users, children, Optional.empty(), true);
    }

    /** Starts Kamailio with the given users (name → password) in domain 127.0.0.1. */
    public Kamailio(Map<String, String> users, int children) throws IOException, InterruptedException {
        this(users, children, Optional.empty());
    }

    /**
     * Starts Kamailio as above; with {@code clientCaList} (PEM) it also listens for TLS on
     * {@link #mutualTlsPort()}, where it requires and verifies a client certificate issued by one of
     * those CAs (tls module: {@code verify_certificate} and {@code require_certificate} on).
     */
    public Kamailio(Map<String, String> users, int children, Optional<Path> clientCaList)
            throws IOException, InterruptedException {
        this(users, children, clientCaList, false);
    }

    private Kamailio(Map<String, String> users, int children, Optional<Path> clientCaList, boolean proxy)
            throws IOException, InterruptedException {
        dir = Files.createTempDirectory("sipis-kamailio");
        port = freePort();
        int t;
        do {
            t = freePort();
        } while (t == port);
        tlsPort = t;
        if (clientCaList.isPresent()) {
            do {
                t = freePort();
            } while (t == port || t == tlsPort);
            mutualTlsPort = t;
        } else {
            mutualTlsPort = -1;
        }
        Path db = Files.createDirectories(dir.resolve("db"));
        for (String table : List.of("version", "htable", "location", "location_attrs")) {
            Files.copy(Path.of("/usr/share/kamailio/dbtext/kamailio", table), db.resolve(table));
        }
        // htable rows: id:key_name:key_type(0 = plain):value_type(0 = string):key_value:expires
        StringBuilder rows = new StringBuilder();
        int id = 1;
        for (Map.Entry<String, String> u : users.entrySet()) {
            rows.append(id++).append(':').append(u.getKey()).append(":0:0:").append(u.getValue()).append(":0\n");
        }
        Files.writeString(db.resolve("htable"), rows, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
        String d = dir.toString();
        String tlsCfg = TLS_CFG;
        String mtlsListen = "";
        if (clientCaList.isPresent()) {
            tlsCfg += MTLS_CFG.replace("@MTLSPORT@", Integer.toString(mutualTlsPort))
                    .replace("@CALIST@", clientCaList.get().toAbsolutePath().toString());
            mtlsListen = "listen=tls:127.0.0.1:" + mutualTlsPort;
        }
        Files.writeString(dir.resolve("tls.cfg"), tlsCfg.replace("@DIR@", d));
        Files.writeString(dir.resolve("kamailio.cfg"), CONFIG.replace("@CALLS@", proxy ? CALLS : "")
                // a branch to a dead Contact gives up after 4 s without a provisional (default 30 s)
                .replace("@CALLPARAMS@", proxy ? "modparam(\"tm\", \"fr_timer\", 4000)" : "").replace("@MTLSLISTEN@", mtlsListen)
                .replace("@DIR@", d).replace("@PORT@", Integer.toString(port))
                .replace("@TLSPORT@", Integer.toString(tlsPort)).replace("@CHILDREN@", Integer.toString(children)));
        process = new ProcessBuilder(BINARY.toString(), "-DD", "-E", "-f", dir.resolve("kamailio.cfg").toString(),
                "-P", dir.resolve("kam.pid").toString(), "-m", "1024", "-M", "16")
                .redirectErrorStream(true).redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "kamailio-stop"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("kamailio exited: " + Files.readString(dir.resolve("kamailio.log")));
            }
            return kamcmd("core.uptime").contains("uptime");
        });
    }

    public int port() {
        return port;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** The TLS port that requires a client certificate; only with the client CA constructor. */
    public int mutualTlsPort() {
        if (mutualTlsPort < 0) {
            throw new IllegalStateException("started without a client CA list: no mutual TLS listener");
        }
        return mutualTlsPort;
    }

    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    /** The output of {@code kamcmd <args>} against this instance (empty on failure). */
    public String kamcmd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KAMCMD.toString(), "-s", "unix:" + dir.resolve("kamailio_ctl")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
        return new String(out, StandardCharsets.UTF_8);
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("kamailio.log"));
    }

    public long pid() {
        return process.pid();
    }

    /** Runs a command (openssl here and in tests), failing with its output when it exits non-zero. */
    public static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(cmd.get(0) + " failed: " + out);
        }
    }

    public static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))) {
                    return p;
                } catch (IOException e) {
                    // UDP taken: try another
                }
            }
        }
        throw new IOException("no free port with both TCP and UDP free");
    }

    /**
     * A port {@code p} with {@code p} and {@code p + 1} free over TCP and UDP: baresip listens for
     * SIP on {@code sip_listen}'s port and for SIP over TLS on the next one.
     */
    public static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = freePort();
            if (p < 65535 && free(p + 1)) {
                return p;
            }
        }
        throw new IOException("no two adjacent free ports");
    }

    private static boolean free(int port) {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (ServerSocket s = new ServerSocket(); DatagramSocket u = new DatagramSocket(a)) {
            s.bind(a, 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
