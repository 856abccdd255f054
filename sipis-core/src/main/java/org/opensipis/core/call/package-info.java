/**
 * The call-log port: missed and pending calls, undelivered text messages and the badge count
 * of each instance ({@link org.opensipis.core.call.CallLog}), with an in-memory implementation
 * ({@link org.opensipis.core.call.InMemoryCallLog}) for tests and for running without a
 * database. The PostgreSQL implementation lives in sipis-store.
 *
 * <p>Threading: the records are immutable values. {@code CallLog} futures complete off the
 * caller's thread (or at once for the in-memory form); callers that own state hop back onto
 * their owner executor before touching it, and never block an owner on them.
 */
package org.opensipis.core.call;
