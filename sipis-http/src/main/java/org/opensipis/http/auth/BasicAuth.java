package org.opensipis.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import org.opensipis.core.settings.AdministratorSettings;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;

/** RFC 7617 Basic; only sensible behind TLS (nginx). Constant-time comparison. */
final class BasicAuth implements AdminAuth {

    private final byte[] expected;
    private final String challenge;

    BasicAuth(AdministratorSettings admin, String realm) {
        this.expected = (admin.userName() + ":" + admin.password().reveal()).getBytes(StandardCharsets.UTF_8);
        this.challenge = "Basic realm=\"" + DigestAuth.quote(realm) + "\", charset=\"UTF-8\"";
    }

    @Override
    public Optional<HttpReply> check(HttpCall call) {
        String h = call.header("authorization").orElse("");
        if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            byte[] given;
            try {
                given = Base64.getDecoder().decode(h.substring(6).trim());
            } catch (IllegalArgumentException e) {
                given = new byte[0];
            }
            if (MessageDigest.isEqual(given, expected)) {
                return Optional.empty();
            }
        }
        return Optional.of(HttpReply.error(401, "admin credentials required (Basic)")
                .withHeader("WWW-Authenticate", challenge));
    }
}
