/**
 * Status pages: {@code /about}, {@code /stats} (HTML), {@code /stats/summary/json}, and the
 * interfaces the composition root implements to feed them ({@link org.opensipis.http.status.ServerStatus},
 * {@link org.opensipis.http.status.InstanceView}). Threading: pages are rendered on the
 * "sipis-http-worker" executor from snapshots; nothing here holds mutable state.
 */
package org.opensipis.http.status;
