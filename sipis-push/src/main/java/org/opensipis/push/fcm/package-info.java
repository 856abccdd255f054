/**
 * FCM HTTP v1 through Firebase Admin: one {@code FirebaseApp} per {@code <Fcm>} entry, sent
 * over our own {@link org.opensipis.push.fcm.FcmTransport} (java.net.http), which honours
 * the entry's {@code Endpoint} override and keeps Firebase's own 503 retry out of the way.
 *
 * <p>Threading: Firebase's {@code send} blocks, so each provider runs it on its own bounded
 * pool {@code sipis-push-fcm-N}; futures complete there.
 */
package org.opensipis.push.fcm;
