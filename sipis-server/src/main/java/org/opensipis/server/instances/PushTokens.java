package org.opensipis.server.instances;

import java.util.ArrayList;
import java.util.List;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;

/** Replacing one device token of an instance (RFC 8599 over the app leg). Stateless. */
final class PushTokens {

    private PushTokens() {
    }

    /**
     * {@code r} with {@code token} in place of its token of the same platform and kind (added when
     * there is none); {@code r} itself when that token is already stored, so nothing is written.
     */
    static InstanceRecord with(InstanceRecord r, DeviceToken token) {
        List<DeviceToken> out = new ArrayList<>(r.tokens().size() + 1);
        boolean replaced = false;
        for (DeviceToken t : r.tokens()) {
            if (t.platform() == token.platform() && t.kind() == token.kind()) {
                if (t.token().equals(token.token()) && t.appId().equals(token.appId())) {
                    return r;
                }
                if (!replaced) {
                    out.add(token);
                    replaced = true;
                }
            } else {
                out.add(t);
            }
        }
        if (!replaced) {
            out.add(token);
        }
        return new InstanceRecord(r.selector(), r.appId(), r.premium(), r.account(), r.appSecret(), List.copyOf(out),
                r.lastAppContact(), r.appForeground());
    }
}
