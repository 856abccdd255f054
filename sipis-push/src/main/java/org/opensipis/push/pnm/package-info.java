/**
 * Acrobits' Push Notification Mediator through its HTTP JSON gateway ({@code pnm2/send}),
 * for apps whose push keys are Acrobits' (Cloud Softphone, Groundwire, white-label builds).
 *
 * <p>Threading: {@link org.opensipis.push.pnm.PnmProvider} is thread-safe and never blocks;
 * it uses {@code HttpClient.sendAsync}, whose callbacks run on {@code sipis-push-pnm-N}.
 */
package org.opensipis.push.pnm;
