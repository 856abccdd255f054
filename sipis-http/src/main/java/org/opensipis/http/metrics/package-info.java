/**
 * {@code /metrics}: Micrometer gauges over the status interfaces, the
 * {@link org.opensipis.core.metrics.MetricsSink} implementation, and the Prometheus endpoint.
 * Threading: Micrometer meters are thread-safe; gauges are read on the scrape's worker thread.
 */
package org.opensipis.http.metrics;
