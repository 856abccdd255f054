/**
 * The metrics port every module reports events to ({@link org.opensipis.core.metrics.MetricsSink}).
 * Threading: implementations are thread-safe and non-blocking; call from any thread.
 */
package org.opensipis.core.metrics;
