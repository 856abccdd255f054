package org.opensipis.http.route;

import java.util.concurrent.CompletionStage;

/**
 * One HTTP resource. Called on an HTTP worker thread ("sipis-http-worker-*"), never on the
 * Netty event loop; may return an already completed stage or one completed later (e.g. by the
 * store). A stage completed exceptionally is a bug and becomes a logged 500.
 */
@FunctionalInterface
public interface Endpoint {
    CompletionStage<HttpReply> handle(HttpCall call);
}
