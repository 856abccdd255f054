package org.opensipis.push.apns;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.ApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import java.time.Instant;
import java.util.Optional;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushRequest;
import org.opensipis.push.PushFields;

/** Turns a request into an APNs notification: topic, push type, priority, expiry, collapse id, payload. */
final class ApnsNotifications {

    private final Optional<String> topic;

    ApnsNotifications(Optional<String> topic) {
        this.topic = topic;
    }

    SimpleApnsPushNotification build(PushRequest r) {
        String bundle = topic.orElse(r.appId());
        boolean voip = r.target().kind() == DeviceToken.Kind.INCOMING_CALL;
        ApnsPayloadBuilder p = new SimpleApnsPayloadBuilder();
        PushFields.of(r).forEach(p::addCustomProperty);
        if (voip) {
            String voipTopic = bundle.endsWith(".voip") ? bundle : bundle + ".voip";
            return new SimpleApnsPushNotification(r.target().token(), voipTopic, p.build(),
                    r.sendTime().plus(PushFields.timeToLive(r.verb())), DeliveryPriority.IMMEDIATE, PushType.VOIP, null);
        }
        Instant expires = r.sendTime().plus(PushFields.timeToLive(r.verb()));
        String collapse = PushFields.collapseKey(r).orElse(null);
        r.badge().ifPresent(p::setBadgeNumber);
        String baseTopic = bundle.endsWith(".voip") ? bundle.substring(0, bundle.length() - 5) : bundle;
        if (r.verb().visible()) {
            p.setAlertBody(PushFields.text(r));
            p.setSound(ApnsPayloadBuilder.DEFAULT_SOUND_FILENAME);
            return new SimpleApnsPushNotification(r.target().token(), baseTopic, p.build(),
                    expires, DeliveryPriority.IMMEDIATE, PushType.ALERT, collapse);
        }
        p.setContentAvailable(true);
        return new SimpleApnsPushNotification(r.target().token(), baseTopic, p.build(),
                expires, DeliveryPriority.CONSERVE_POWER, PushType.BACKGROUND, collapse);
    }
}
