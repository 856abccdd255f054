/**
 * The abuse controls of {@code /sipis/register}: the client's address (X-Forwarded-For from
 * trusted proxies only), the per-source rate limit, the registrar target check at POST time,
 * quotas and the audit of who registered an instance.
 */
package org.opensipis.http.abuse;
