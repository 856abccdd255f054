package org.opensipis.core.instance;

import java.time.Instant;
import java.util.Objects;

/**
 * One push token of a device. iOS devices have a pair: a VoIP (PushKit) token used only for
 * incoming calls ({@link Kind#INCOMING_CALL}) and a remote-notification token for everything
 * else ({@link Kind#OTHER}); Android devices usually have one FCM token used for both.
 *
 * @param platform which provider delivers it
 * @param kind     what it is used for
 * @param appId    the app id (bundle id / package name) the token belongs to
 * @param token    the device token (opaque text)
 * @param lastSeen when the app last reported it
 */
public record DeviceToken(Platform platform, Kind kind, String appId, String token, Instant lastSeen) {

    public enum Platform { APNS, FCM, PNM }

    public enum Kind { INCOMING_CALL, OTHER }

    public DeviceToken {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** A short, non-secret form for logs: platform, kind and the token's last 8 characters. */
    public String shortForm() {
        return platform + "/" + kind + "/…" + (token.length() > 8 ? token.substring(token.length() - 8) : token);
    }

    @Override
    public String toString() {
        return "DeviceToken[" + shortForm() + ", appId=" + appId + "]";
    }
}
