/**
 * The HTTP interface of a SIPIS process on Netty: {@link org.opensipis.http.HttpServer} (the
 * facade the composition root calls), {@link org.opensipis.http.HttpServices} and
 * {@link org.opensipis.http.HttpLimits}. Threading: each connection's handlers run on its
 * Netty event loop ("sipis-http-io-*") and never block; endpoints run on the bounded
 * "sipis-http-worker-*" executor and hand replies back to the event loop.
 */
package org.opensipis.http;
