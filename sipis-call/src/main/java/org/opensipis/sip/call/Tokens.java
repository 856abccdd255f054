package org.opensipis.sip.call;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.opensipis.core.instance.DeviceToken;

/** Which of an instance's tokens each kind of push goes to. Stateless. */
public final class Tokens {

    private Tokens() {
    }

    /**
     * Incoming-call pushes: every FCM/PNM token, and the APNs VoIP ({@code INCOMING_CALL})
     * tokens; APNs {@code OTHER} tokens only when the instance has no VoIP token at all.
     */
    public static List<DeviceToken> forCall(List<DeviceToken> all) {
        boolean voip = all.stream().anyMatch(t -> t.platform() == DeviceToken.Platform.APNS
                && t.kind() == DeviceToken.Kind.INCOMING_CALL);
        return pick(all, t -> t.platform() != DeviceToken.Platform.APNS
                || t.kind() == DeviceToken.Kind.INCOMING_CALL || !voip);
    }

    /**
     * Notices (missed call, answered elsewhere, text message): every FCM/PNM token and the APNs
     * {@code OTHER} tokens; a VoIP token would make iOS report a new call, so it is never used.
     */
    public static List<DeviceToken> forNotice(List<DeviceToken> all) {
        return pick(all, t -> t.platform() != DeviceToken.Platform.APNS || t.kind() == DeviceToken.Kind.OTHER);
    }

    private static List<DeviceToken> pick(List<DeviceToken> all, java.util.function.Predicate<DeviceToken> p) {
        List<DeviceToken> out = new ArrayList<>(all.size());
        Set<String> seen = new HashSet<>();
        for (DeviceToken t : all) {
            if (p.test(t) && seen.add(t.platform() + "|" + t.token())) {
                out.add(t);
            }
        }
        return out;
    }
}
