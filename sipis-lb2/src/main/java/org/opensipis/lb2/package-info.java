/**
 * A LoadBalancer2-compatible router. Each app flow (TCP/TLS connection, or UDP source address)
 * and its backend connection are handled on one Netty event loop; the routing table is an
 * immutable value swapped atomically on reload. Nothing blocks an event loop.
 */
package org.opensipis.lb2;
