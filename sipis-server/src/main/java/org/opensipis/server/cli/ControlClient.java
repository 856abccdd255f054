package org.opensipis.server.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opensipis.core.settings.AdministratorSettings;
import org.opensipis.core.settings.HttpServerSettings;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;

/**
 * The HTTP side of {@code sipis ctl}: one request to a process's control API with the
 * administrator's credentials, as the process asks for them ({@code Digest} per RFC 7616 with
 * MD5 and {@code qop=auth}, {@code Basic}, or none).
 */
final class ControlClient {

    /** A reply: status and body. */
    record Reply(int status, String body) {
    }

    private static final Pattern PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]*))");

    private final URI base;
    private final AdministratorSettings admin;
    private final AuthenticationMethod method;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SecureRandom random = new SecureRandom();

    ControlClient(URI base, AdministratorSettings admin, AuthenticationMethod method) {
        this.base = base;
        this.admin = admin;
        this.method = method;
    }

    /** The process's own address from its settings: a wildcard bind address is reached on loopback. */
    static URI baseOf(HttpServerSettings s) {
        String a = s.address().trim();
        if (a.isEmpty() || a.equals("0") || a.equals("*") || a.equals("0.0.0.0")) {
            a = "127.0.0.1";
        } else if (a.equals("::") || a.equals("[::]")) {
            a = "[::1]";
        } else if (a.contains(":") && !a.startsWith("[")) {
            a = "[" + a + "]";
        }
        return URI.create("http://" + a + ":" + s.port());
    }

    /** GET (body null) or POST a JSON body to {@code target} ("/control/..."). */
    Reply send(String target, String jsonBody) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(target, jsonBody, Optional.empty()), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401 && method != AuthenticationMethod.NONE) {
            Optional<String> challenge = r.headers().allValues("WWW-Authenticate").stream()
                    .filter(h -> h.regionMatches(true, 0, "Digest", 0, 6)).findFirst();
            Optional<String> auth = challenge.isPresent() ? Optional.of(digest(challenge.get(), jsonBody == null ? "GET" : "POST",
                    target)) : basic();
            r = http.send(request(target, jsonBody, auth), HttpResponse.BodyHandlers.ofString());
        }
        return new Reply(r.statusCode(), r.body());
    }

    private HttpRequest request(String target, String jsonBody, Optional<String> authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (method == AuthenticationMethod.BASIC && authorization.isEmpty()) {
            authorization = basic();
        }
        authorization.ifPresent(a -> b.header("Authorization", a));
        if (jsonBody == null) {
            b.GET();
        } else {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        return b.build();
    }

    private Optional<String> basic() {
        String pair = admin.userName() + ":" + admin.password().reveal();
        return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    private String digest(String challenge, String httpMethod, String uri) {
        Map<String, String> p = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge.substring(6));
        while (m.find()) {
            p.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
        }
        String realm = p.getOrDefault("realm", "");
        String nonce = p.getOrDefault("nonce", "");
        byte[] c = new byte[8];
        random.nextBytes(c);
        String cnonce = HexFormat.of().formatHex(c);
        String nc = "00000001";
        String ha1 = md5(admin.userName() + ":" + realm + ":" + admin.password().reveal());
        String ha2 = md5(httpMethod + ":" + uri);
        String response = md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        StringBuilder h = new StringBuilder("Digest username=\"").append(admin.userName()).append("\", realm=\"")
                .append(realm).append("\", nonce=\"").append(nonce).append("\", uri=\"").append(uri)
                .append("\", algorithm=MD5, qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce)
                .append("\", response=\"").append(response).append('"');
        if (p.containsKey("opaque")) {
            h.append(", opaque=\"").append(p.get("opaque")).append('"');
        }
        return h.toString();
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }
}
