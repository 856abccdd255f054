/**
 * The registration engine. Threading rule: every {@code Registration} (one instance) is owned by
 * one serial {@link org.opensipis.sip.owner.Owner} chosen by the selector's hash; its fields are
 * read and written only there, except the volatile published state. Netty I/O
 * threads, DNS results and throttle grants hop onto the owner with {@code execute}. Timers
 * (refresh, backoff, RFC 3261 Timer E/F) are scheduled on the owner with the injected clock.
 */
package org.opensipis.sip.registration;
