package org.opensipis.push;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;

/**
 * The provider-neutral payload of a push as string fields (FCM data needs strings; APNs gets
 * the same keys as custom properties). Keys are documented in docs/push.md.
 */
public final class PushFields {

    private PushFields() {
    }

    /** The verb as it appears in the {@code type} field, e.g. {@code incoming-call}. */
    public static String wireVerb(Verb verb) {
        return verb.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The fields of a request, in a stable order; absent optional fields are left out. */
    public static Map<String, String> of(PushRequest r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", wireVerb(r.verb()));
        m.put("s", r.selector());
        r.callId().ifPresent(v -> m.put("callId", v));
        r.pairingId().ifPresent(v -> m.put("pairingId", v));
        r.callerName().ifPresent(v -> m.put("callerName", v));
        r.callerUri().ifPresent(v -> m.put("callerUri", v));
        m.put("sendTime", Long.toString(r.sendTime().toEpochMilli()));
        r.badge().ifPresent(v -> m.put("badge", Integer.toString(v)));
        r.messageText().ifPresent(v -> m.put("message", v));
        return m;
    }

    /** The text shown for visible verbs when the request carries none. */
    public static String defaultText(PushRequest r) {
        switch (r.verb()) {
            case MISSED_CALL:
                return "Missed call" + r.callerName().or(r::callerUri).map(c -> " from " + c).orElse("");
            case TEXT_MESSAGE:
                return "New message" + r.callerName().or(r::callerUri).map(c -> " from " + c).orElse("");
            case ABOUT_TO_EXPIRE_INTRUSIVE:
                return "You are still receiving calls, but this will stop soon. Open the app to stay reachable.";
            case INSTANCE_OFF:
                return "You no longer receive calls because the app was not used. Open the app to receive calls again.";
            default:
                return "";
        }
    }

    /** The alert text: the request's message text, or the default for the verb. */
    public static String text(PushRequest r) {
        return r.messageText().orElseGet(() -> defaultText(r));
    }

    /** How long a provider should keep trying to deliver: a call push is useless after 30 s. */
    public static Duration timeToLive(Verb verb) {
        switch (verb) {
            case INCOMING_CALL:
            case ANSWERED_ELSEWHERE:
                return Duration.ofSeconds(30);
            case ABOUT_TO_EXPIRE_SILENT:
            case PUSH_TEST:
                return Duration.ofHours(1);
            default:
                return Duration.ofDays(1);
        }
    }

    /** Later pushes with the same key replace earlier ones on the device (at most 64 bytes). */
    public static Optional<String> collapseKey(PushRequest r) {
        switch (r.verb()) {
            case ABOUT_TO_EXPIRE_SILENT:
            case ABOUT_TO_EXPIRE_INTRUSIVE:
            case INSTANCE_OFF:
                return Optional.of("sipis-expiry");
            case PUSH_TEST:
                return Optional.of("sipis-test");
            case MISSED_CALL:
            case ANSWERED_ELSEWHERE:
                return r.callId().map(c -> "sipis-call-" + Integer.toHexString(c.hashCode()));
            default:
                return Optional.empty();
        }
    }
}
