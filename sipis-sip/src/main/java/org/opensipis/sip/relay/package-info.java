/**
 * The call relay (docs/app-protocol.md section 4, steps 3–4): a minimal B2BUA between the
 * provider's leg (a {@link org.opensipis.sip.call.PendingCall} taken over from the incoming-call
 * code) and the app's leg (an INVITE over the app's flow).
 *
 * <p>Threading: every relay call's state lives on one {@link org.opensipis.sip.owner.Owner}, the
 * relay's owner ({@code sipis-relay-owner} in production). The entry points run on the app leg's
 * owner, on SIP I/O threads or on instance owners; they only look the call up in concurrent maps
 * and hop onto the relay's owner. Nothing blocks.
 */
package org.opensipis.sip.relay;
