/**
 * Serial owner executors: all mutable state of one registration (and of the throttle) is touched
 * only on its {@link org.opensipis.sip.owner.Owner}; other threads hop onto it with
 * {@code execute}. Timers are scheduled on the owner too, so no locks are needed.
 */
package org.opensipis.sip.owner;
