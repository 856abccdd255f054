/**
 * The registration throttle: token buckets (process and per registrar host) and an in-flight cap.
 * Its state lives on one owner executor; {@code submit} and {@code release} hop onto it.
 */
package org.opensipis.sip.throttle;
