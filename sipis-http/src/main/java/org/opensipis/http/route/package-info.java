/**
 * The contract between the Netty pipeline and the feature endpoints: immutable
 * {@link org.opensipis.http.route.HttpCall} in, {@link org.opensipis.http.route.HttpReply} out.
 * Threading: values are immutable; endpoints run on the bounded "sipis-http-worker" executor.
 */
package org.opensipis.http.route;
