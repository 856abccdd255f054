/**
 * Push delivery: {@link org.opensipis.push.PushDispatcher} implements the core
 * {@code PushService} port. It picks the NotificationServers entry by app id, sends through
 * that entry's provider (APNs, FCM or Acrobits' PNM gateway, one subpackage each), retries
 * transient failures inside the request's deadline and removes dead tokens.
 *
 * <p>Threading: the dispatcher holds no per-instance state. Its mutable parts (circuit
 * breakers, in-flight counts) are thread-safe and touched from provider callback threads;
 * retries are scheduled on the injected {@code sipis-push-retry} scheduler. Futures complete
 * on provider threads or on that scheduler, never on the caller's thread while it waits.
 */
package org.opensipis.push;
