package org.opensipis.sip.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Kamailio acting as the provider's registrar (digest via auth_db over db_text) AND
 * proxy: INVITE and MESSAGE are routed with {@code lookup("location")} + {@code t_relay()}, in-dialog
 * requests (To-tag) to their Request-URI,
 * CANCEL and ACK through tm. UDP and TCP on one free loopback port. Derived from
 * {@link Kamailio} (same layout), with the proxy routes added.
 */
public final class KamailioProxy implements AutoCloseable {

    private static final String CONFIG = """
            #!KAMAILIO
            debug=1
            log_stderror=yes
            children=2
            tcp_children=2
            listen=udp:127.0.0.1:@PORT@
            listen=tcp:127.0.0.1:@PORT@
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
            loadmodule "auth_db.so"
            loadmodule "ctl.so"
            modparam("ctl", "binrpc", "unix:@DIR@/kamailio_ctl")
            modparam("usrloc", "db_mode", 0)
            modparam("auth_db", "db_url", "text://@DIR@/db")
            modparam("auth_db", "calculate_ha1", yes)
            modparam("auth_db", "password_column", "password")
            modparam("auth_db", "load_credentials", "")
            request_route {
                if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
                if (!sanity_check("17895", "7")) { xlog("L_WARN", "malformed request from $si:$sp\\n"); exit; }
                if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
                if (is_method("ACK")) { if (t_check_trans() || has_totag()) { t_relay(); } exit; }
                if (has_totag()) { if (!t_relay()) { sl_reply_error(); } exit; }
                if (is_method("REGISTER")) {
                    if (!auth_check("$fd", "subscriber", "1")) { auth_challenge("$fd", "0"); exit; }
                    consume_credentials();
                    if (!save("location")) { sl_reply_error(); }
                    exit;
                }
                if (is_method("INVITE|MESSAGE")) {
                    t_check_trans();
                    if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
                    if (!t_relay()) { sl_reply_error(); }
                    exit;
                }
                if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
                sl_send_reply("404", "Not Here");
            }
            """;

    private final Path dir;
    private final int port;
    private final Process process;

    /** Starts Kamailio with the given users (name → password) in domain 127.0.0.1. */
    public KamailioProxy(Map<String, String> users) throws IOException {
        dir = Files.createTempDirectory("sipis-kamailio-proxy");
        port = Kamailio.freePort();
        Path db = Files.createDirectories(dir.resolve("db"));
        for (String table : List.of("version", "subscriber", "location", "location_attrs")) {
            Files.copy(Path.of("/usr/share/kamailio/dbtext/kamailio", table), db.resolve(table));
        }
        StringBuilder rows = new StringBuilder();
        int id = 1;
        for (Map.Entry<String, String> u : users.entrySet()) {
            rows.append(id++).append(':').append(u.getKey()).append(":127.0.0.1:").append(u.getValue()).append(':')
                    .append(md5(u.getKey() + ":127.0.0.1:" + u.getValue())).append(':')
                    .append(md5(u.getKey() + "@127.0.0.1:127.0.0.1:" + u.getValue())).append('\n');
        }
        Files.writeString(db.resolve("subscriber"), rows, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("kamailio.cfg"), CONFIG.replace("@DIR@", dir.toString())
                .replace("@PORT@", Integer.toString(port)));
        process = new ProcessBuilder(Kamailio.BINARY.toString(), "-DD", "-E", "-f", dir.resolve("kamailio.cfg").toString(),
                "-P", dir.resolve("kam.pid").toString(), "-m", "64", "-M", "8")
                .redirectErrorStream(true).redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("kamailio exited: " + Files.readString(dir.resolve("kamailio.log")));
            }
            return kamcmd("core.uptime").contains("uptime");
        });
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public String kamcmd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Kamailio.KAMCMD.toString(), "-s",
                "unix:" + dir.resolve("kamailio_ctl")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
        return new String(out, StandardCharsets.UTF_8);
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("kamailio.log"));
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
