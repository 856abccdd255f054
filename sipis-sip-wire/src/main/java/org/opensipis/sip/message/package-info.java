/**
 * The SIP wire layer, the one place SIP bytes are read and written: the message model
 * ({@link org.opensipis.sip.message.SipMessage}), its parser (strict where RFC 3261 and RFC 4475
 * call a message invalid, tolerant where a receiver should accept), header names
 * ({@link org.opensipis.sip.message.HeaderNames}), parameter and URI helpers, the stream framer
 * ({@link org.opensipis.sip.message.StreamFramer}), answers to refused requests
 * ({@link org.opensipis.sip.message.WireResponses}) and errors with byte offsets. Everything here
 * is immutable or stateless (the framer is per channel), so any thread may use it.
 */
package org.opensipis.sip.message;
