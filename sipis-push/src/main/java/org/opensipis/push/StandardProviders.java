package org.opensipis.push;

import java.util.Objects;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.apns.ApnsProvider;
import org.opensipis.push.fcm.FcmProvider;
import org.opensipis.push.pnm.PnmProvider;

/** The production {@link ProviderFactory}: system trust store, service-account credentials. */
public final class StandardProviders implements ProviderFactory {

    @Override
    public PushProvider create(PushRoute route) {
        Objects.requireNonNull(route, "route");
        switch (route.kind()) {
            case APNS:
                return ApnsProvider.builder((PushRoute.Apns) route).build();
            case FCM:
                return FcmProvider.builder((PushRoute.Fcm) route).build();
            default:
                return PnmProvider.create((PushRoute.Pnm) route);
        }
    }
}
