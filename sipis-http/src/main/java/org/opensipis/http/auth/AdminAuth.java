package org.opensipis.http.auth;

import java.time.Clock;
import java.util.Optional;
import org.opensipis.core.settings.AdministratorSettings;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;

/**
 * Guards the admin pages with the {@code Administrator} credentials, per
 * {@code HttpServer[AuthenticationMethod]}.
 */
public interface AdminAuth {

    /** Empty if the call may proceed, else the reply to send (401 with a challenge, or 403). */
    Optional<HttpReply> check(HttpCall call);

    /**
     * The guard for a method.
     *
     * @param realm the Digest/Basic realm shown to browsers (e.g. {@code "SIPIS Sipis1"})
     * @param clock drives Digest nonce expiry
     */
    static AdminAuth of(AuthenticationMethod method, AdministratorSettings admin, String realm, Clock clock) {
        if (method == AuthenticationMethod.NONE) {
            return call -> Optional.empty();
        }
        if (admin.password().isEmpty()) {
            return call -> Optional.of(HttpReply.error(403, "admin pages are disabled: Administrator[Password] is empty"
                    + " while HttpServer[AuthenticationMethod] is " + method));
        }
        return method == AuthenticationMethod.BASIC ? new BasicAuth(admin, realm) : new DigestAuth(admin, realm, clock);
    }
}
