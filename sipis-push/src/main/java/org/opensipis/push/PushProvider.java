package org.opensipis.push;

import java.util.concurrent.CompletableFuture;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.settings.PushRoute;

/**
 * One configured provider (one credential set). {@link #send} makes exactly one attempt and
 * maps the provider's answer to a value: {@code Accepted}, {@code Rejected} (with
 * {@code permanentTokenError} for dead tokens; the dispatcher removes them) or
 * {@code Failed} (with {@code transientError} when a retry may help). The dispatcher also
 * treats an exceptionally completed future as a transient failure.
 */
public interface PushProvider {

    PushRoute.Kind kind();

    CompletableFuture<PushOutcome> send(PushRequest request);

    /** Releases connections and threads; the future completes when they are gone. */
    CompletableFuture<Void> close();
}
