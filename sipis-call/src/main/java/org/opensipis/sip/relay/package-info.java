/**
 * The call relay (docs/app-protocol.md section 4, steps 3–4): a minimal B2BUA between the
 * provider's leg (a {@link org.opensipis.sip.call.PendingCall} taken over from the incoming-call
 * code) and the app's leg (an INVITE over the app's flow).
 *
 * <p>Threading: a relayed call's state lives on the owner of its selector
 * ({@link org.opensipis.sip.owner.Owners}: in production the registration engine's owners, which
 * also hold the instance's registration, pending incoming calls, app binding and life cycle).
 * The entry points run on the app leg's I/O threads, on SIP I/O threads or on owners; they only
 * look the call up in concurrent maps and hop onto the call's owner. Owner-only methods check
 * that they run there. Nothing blocks.
 */
package org.opensipis.sip.relay;
