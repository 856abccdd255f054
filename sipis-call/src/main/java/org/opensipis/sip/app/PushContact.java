package org.opensipis.sip.app;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.Printable;

/**
 * RFC 8599 push parameters in an app's REGISTER Contact URI: {@code pn-provider} (apns, fcm),
 * {@code pn-prid} (the device token) and {@code pn-param} (APNs: {@code TEAMID.topic}, the topic
 * ending in {@code .voip} for a PushKit token; FCM: the project id). A standard RFC 8599 UA thus
 * changes its token with a REGISTER, without an HTTP call (docs/app-protocol.md). Stateless.
 */
final class PushContact {

    static final int MAX_TOKEN = 4096;

    private PushContact() {
    }

    /**
     * The token a Contact URI carries, or empty when it carries none or one we cannot use (another
     * provider, a token with spaces or control characters, or one over 4096 characters).
     *
     * @param storedAppId the instance's app id, for providers whose pn-param does not name the app
     */
    static Optional<DeviceToken> of(String contactUri, String storedAppId, Instant now) {
        String provider = HeaderParams.uriParam(contactUri, "pn-provider");
        String prid = HeaderParams.uriParam(contactUri, "pn-prid");
        if (provider == null || prid == null || prid.isEmpty() || prid.length() > MAX_TOKEN || !printable(prid)) {
            return Optional.empty();
        }
        String param = HeaderParams.uriParam(contactUri, "pn-param");
        switch (provider.toLowerCase(Locale.ROOT)) {
            case "apns": {
                // pn-param = Team ID "." topic; the topic is the bundle id, + ".voip" for PushKit
                int dot = param == null ? -1 : param.indexOf('.');
                if (dot <= 0 || dot == param.length() - 1) {
                    return Optional.empty();
                }
                String topic = param.substring(dot + 1);
                boolean voip = topic.endsWith(".voip");
                String bundle = voip ? topic.substring(0, topic.length() - 5) : topic;
                return Optional.of(new DeviceToken(DeviceToken.Platform.APNS,
                        voip ? DeviceToken.Kind.INCOMING_CALL : DeviceToken.Kind.OTHER, bundle, prid, now));
            }
            case "fcm":
                return Optional.of(new DeviceToken(DeviceToken.Platform.FCM, DeviceToken.Kind.OTHER, storedAppId, prid, now));
            default:
                return Optional.empty();
        }
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || Printable.isControl(c)) {
                return false;
            }
        }
        return true;
    }
}
