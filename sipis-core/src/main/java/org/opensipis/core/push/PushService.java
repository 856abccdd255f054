package org.opensipis.core.push;

import java.util.concurrent.CompletableFuture;

/**
 * Sends one push to one device token. The future completes with the final outcome after
 * any retries the implementation made within {@link PushRequest#deadline()}; it completes
 * exceptionally only for programming errors (for example a null request), never because a
 * provider refused or could not be reached.
 */
public interface PushService {

    CompletableFuture<PushOutcome> push(PushRequest request);
}
