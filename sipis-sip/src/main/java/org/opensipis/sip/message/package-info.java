/**
 * A lean SIP message model for the registration client: a strict parser ({@link
 * org.opensipis.sip.message.SipMessage}) and parameter helpers. Everything here is immutable or
 * stateless, so any thread may use it.
 */
package org.opensipis.sip.message;
