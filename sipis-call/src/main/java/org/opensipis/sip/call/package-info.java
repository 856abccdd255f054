/**
 * Incoming calls on registered instances (docs/incoming-calls.md): INVITE → push every device
 * → 180 {@code X-Sipis-Push-Status} sequence → T1/T2 → 480; CANCEL → 487 and the missed-call
 * or answered-elsewhere push; RFC 3261 server transactions (retransmissions, forks, ACK,
 * Timer G/H/I); the hand-over API for the app leg ({@link org.opensipis.sip.call.PendingCall}).
 *
 * <p>Threading: {@link org.opensipis.sip.call.IncomingRequests#onRequest} runs on Netty I/O
 * threads and only looks the instance up (O(1)) before hopping onto the instance's
 * {@link org.opensipis.sip.owner.Owner}; every call and transaction is touched only there, and
 * its timers run there (on the owner's clock). Push and store futures hop back onto the owner.
 */
package org.opensipis.sip.call;
