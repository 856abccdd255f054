package org.opensipis.push;

import org.opensipis.core.settings.PushRoute;

/** Builds the provider for one NotificationServers entry; throws {@link PushConfigException}. */
@FunctionalInterface
public interface ProviderFactory {

    PushProvider create(PushRoute route);
}
