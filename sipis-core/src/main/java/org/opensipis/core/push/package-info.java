/**
 * The push port shared by every module: {@link org.opensipis.core.push.PushService} takes a
 * {@link org.opensipis.core.push.PushRequest} and completes with a
 * {@link org.opensipis.core.push.PushOutcome} value (never exceptionally for a provider's
 * answer). Implemented in sipis-push.
 *
 * <p>Threading: the types here are immutable values and interfaces. Futures returned by
 * {@code PushService} complete on the push module's own threads; callers that own state hop
 * back onto their owner executor before touching it. Listener methods are called from those
 * push threads and must not block.
 */
package org.opensipis.core.push;
