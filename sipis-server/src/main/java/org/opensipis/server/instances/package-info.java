/**
 * The process's view of its instances for the status pages. Thread-safe: written by owner
 * executors and the store's notification thread, read by HTTP workers.
 */
package org.opensipis.server.instances;
