package org.opensipis.core.call;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where missed calls, undelivered text messages and badge counts live until the app fetches
 * them. Implemented in sipis-store on PostgreSQL (tables {@code sipcalls}, {@code siptextmessages});
 * {@link InMemoryCallLog} is the in-process form. Futures complete once the change is durable,
 * or exceptionally when the store cannot take it; they never block the caller.
 *
 * <p>The badge is the number of missed calls plus undelivered text messages not yet taken by
 * the app; every record method returns the new badge so the push can carry it.
 */
public interface CallLog {

    /** Keeps a missed call; completes with the instance's new badge count. */
    CompletableFuture<Integer> recordMissedCall(String selector, MissedCall call);

    /** Keeps an undelivered text message; completes with the instance's new badge count. */
    CompletableFuture<Integer> recordTextMessage(String selector, TextMessage message);

    /** The current badge count (0 for an unknown selector). */
    CompletableFuture<Integer> badge(String selector);

    /** The missed calls not yet taken, oldest first. */
    CompletableFuture<List<MissedCall>> missedCalls(String selector);

    /** The undelivered text messages, oldest first. */
    CompletableFuture<List<TextMessage>> textMessages(String selector);

    /** The app took everything: forgets the selector's missed calls and messages; badge 0. */
    CompletableFuture<Void> clear(String selector);
}
