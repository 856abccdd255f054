/**
 * Sockets for the registration client over Netty. Netty I/O threads only frame, parse and hand
 * messages to a receiver, which hops onto the owning executor; flows are immutable handles.
 */
package org.opensipis.sip.transport;
