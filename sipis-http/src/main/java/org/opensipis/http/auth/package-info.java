/**
 * Admin authentication (Digest RFC 7616 MD5/qop=auth, Basic, None). Threading: guards are
 * immutable after construction and called concurrently from HTTP worker threads.
 */
package org.opensipis.http.auth;
