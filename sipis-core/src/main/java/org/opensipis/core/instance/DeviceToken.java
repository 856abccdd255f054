package org.opensipis.core.instance;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One push token of a device. iOS devices have a pair: a VoIP (PushKit) token used only for
 * incoming calls ({@link Kind#INCOMING_CALL}) and a remote-notification token for everything
 * else ({@link Kind#OTHER}); Android devices usually have one FCM token used for both.
 *
 * <p>A value class with the accessors of a record. The token is kept as its UTF-8 bytes (it is
 * read only to push), not as a {@code String}: two per instance, 24 B each for the wrapper.
 */
public final class DeviceToken {

    public enum Platform { APNS, FCM, PNM }

    public enum Kind { INCOMING_CALL, OTHER }

    private final Platform platform;
    private final Kind kind;
    private final String appId;
    private final byte[] token;
    private final Instant lastSeen;

    /**
     * @param platform which provider delivers it
     * @param kind     what it is used for
     * @param appId    the app id (bundle id / package name) the token belongs to
     * @param token    the device token (opaque text)
     * @param lastSeen when the app last reported it
     */
    public DeviceToken(Platform platform, Kind kind, String appId, String token, Instant lastSeen) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.appId = Objects.requireNonNull(appId, "appId");
        this.token = Objects.requireNonNull(token, "token").getBytes(StandardCharsets.UTF_8);
        this.lastSeen = Objects.requireNonNull(lastSeen, "lastSeen");
    }

    public Platform platform() {
        return platform;
    }

    public Kind kind() {
        return kind;
    }

    public String appId() {
        return appId;
    }

    /** The device token (a new string on every call). */
    public String token() {
        return new String(token, StandardCharsets.UTF_8);
    }

    public Instant lastSeen() {
        return lastSeen;
    }

    /** A short, non-secret form for logs: platform, kind and the token's last 8 characters. */
    public String shortForm() {
        String t = token();
        return platform + "/" + kind + "/…" + (t.length() > 8 ? t.substring(t.length() - 8) : t);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceToken t && platform == t.platform && kind == t.kind && appId.equals(t.appId)
                && Arrays.equals(token, t.token) && lastSeen.equals(t.lastSeen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(platform, kind, appId, Arrays.hashCode(token), lastSeen);
    }

    @Override
    public String toString() {
        return "DeviceToken[" + shortForm() + ", appId=" + appId + "]";
    }
}
