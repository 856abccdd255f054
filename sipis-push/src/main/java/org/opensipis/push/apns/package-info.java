/**
 * APNs through Pushy: one {@code ApnsClient} per {@code <Apns>} entry (credential set).
 *
 * <p>Threading: {@link org.opensipis.push.apns.ApnsProvider} is thread-safe; Pushy completes
 * its futures on its Netty event loop, so nothing here may block.
 */
package org.opensipis.push.apns;
