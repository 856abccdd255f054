package org.opensipis.core.instance;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.opensipis.core.settings.Secret;

/**
 * What the app registered for one instance (one account on one device), as stored in the
 * database and shared between processes. Runtime state lives in {@link InstanceState}.
 *
 * @param selector        the instance key, upper-case hex (see {@code Selector})
 * @param appId           the app id that registered it (used by LB2 AppIdPrefix routing)
 * @param premium         premium instances live {@code PremiumMaxAge} instead of {@code MaxAge}
 * @param account         the SIP account to keep registered
 * @param appSecret       the app leg's digest secret (sealed at rest)
 * @param tokens          the device's push tokens
 * @param lastAppContact  last registration or refresh from the app; resets the instance's age
 * @param appForeground   whether the app said it is in the foreground (then SIPIS stays Idle)
 */
public record InstanceRecord(String selector, String appId, boolean premium, SipAccount account,
                             Secret appSecret, List<DeviceToken> tokens, Instant lastAppContact,
                             boolean appForeground) {

    public InstanceRecord {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(appSecret, "appSecret");
        tokens = List.copyOf(tokens);
        Objects.requireNonNull(lastAppContact, "lastAppContact");
    }
}
