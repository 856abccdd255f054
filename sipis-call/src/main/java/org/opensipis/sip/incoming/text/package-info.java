/**
 * SIP MESSAGE handling for instances: the {@code IncomingTextMessage} filters, storing the
 * undelivered message in the {@link org.opensipis.core.call.CallLog} and the text push.
 *
 * <p>Threading: {@link org.opensipis.sip.incoming.text.TextMessages} is stateless apart from
 * its injected parts; it is called on the instance's owner and returns a future that completes
 * on store or push threads. It touches no owner state.
 */
package org.opensipis.sip.incoming.text;
