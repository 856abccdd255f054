package org.opensipis.sip.call;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import org.opensipis.sip.transport.SipTimers;
import org.opensipis.core.settings.IncomingCallSettings;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.TextMessageFilter;

/**
 * What {@link IncomingRequests} needs, injected (clock and random included, so tests drive
 * time and ids). {@link #of(Settings)} builds the production form.
 *
 * @param calls           T1 ({@code IncomingCall/NotAnsweredMaxAge}), T2 and the T1 response
 * @param textFilters     {@code IncomingTextMessage} filters, first match wins
 * @param userAgent       {@code Instance[UserAgent]}, written into every response
 * @param privateAddress  {@code Server[PrivateAddress]}: the host of our Contact when set
 * @param clock           wall clock for push send times and call records
 * @param random          To-tags and pairing ids
 * @param t1Millis        RFC 3261 T1 (500 ms): Timer G starts here, Timer H/J are 64*T1
 * @param maxPendingCalls more calls waiting for a device than this are refused with 503
 * @param retryAfterSeconds the Retry-After of that 503
 */
public record CallConfig(IncomingCallSettings calls, List<TextMessageFilter> textFilters, String userAgent,
                         Optional<String> privateAddress, Clock clock, Random random, long t1Millis,
                         int maxPendingCalls, int retryAfterSeconds) {

    public CallConfig {
        Objects.requireNonNull(calls, "calls");
        textFilters = List.copyOf(textFilters);
        Objects.requireNonNull(userAgent, "userAgent");
        Objects.requireNonNull(privateAddress, "privateAddress");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        new SipTimers(t1Millis); // checks T1
        if (maxPendingCalls < 1) {
            throw new IllegalArgumentException("maxPendingCalls must be at least 1, was " + maxPendingCalls);
        }
    }

    /** Production: system clock, SecureRandom, T1 500 ms, 10000 pending calls, Retry-After 5 s. */
    public static CallConfig of(Settings s) {
        return new CallConfig(s.incomingCall(), s.incomingTextMessageFilters(), s.instance().userAgent(),
                s.server().privateAddress(), Clock.systemUTC(), new SecureRandom(), SipTimers.DEFAULT_T1_MILLIS, 10_000, 5);
    }

    /** Timer G/H/I/J from {@code t1Millis}. */
    SipTimers timers() {
        return new SipTimers(t1Millis);
    }
}
