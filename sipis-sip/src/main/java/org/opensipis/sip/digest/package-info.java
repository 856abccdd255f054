/**
 * HTTP Digest for SIP (RFC 2617, 7616, 8760) computed by us: MD5, MD5-sess, SHA-256(-sess),
 * qop auth and auth-int, random cnonce, counted nc. Challenges are immutable apart from an atomic
 * nonce count, so they can be cached per registrar and shared between owner threads.
 */
package org.opensipis.sip.digest;
