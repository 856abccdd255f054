/**
 * RFC 3263 server location with a pluggable {@link org.opensipis.sip.dns.DnsLookup} (dnsjava in
 * production, a fake in tests). Blocking code: it runs on the bounded "sipis-sip-dns" executor,
 * never on an owner.
 */
package org.opensipis.sip.dns;
