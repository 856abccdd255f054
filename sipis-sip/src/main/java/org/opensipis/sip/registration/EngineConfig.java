package org.opensipis.sip.registration;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.opensipis.sip.transport.SipTimers;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executor;
import org.opensipis.core.abuse.TargetPolicy;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.sip.dns.DnsLookup;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.transport.TransportConfig;

/**
 * Everything the {@link RegistrationEngine} needs, injected (owners and clock included, so tests
 * drive time). {@link RegistrationEngines#create} builds the production form from {@code Settings}.
 *
 * @param serverName         {@code Server[Name]}, written into every {@code InstanceState}
 * @param advertisedAddress  host for Via/Contact instead of the socket's ({@code Public/PrivateAddress})
 * @param userAgent          {@code Instance[UserAgent]}
 * @param registration       throttle, refresh and retry settings
 * @param transport          socket settings
 * @param clock              wall clock for expiry times; must match the owners' timers
 * @param owners             the serial owners instances are spread over (by selector hash); empty =
 *                           the transport's Netty I/O event loops, so that a response is handled on
 *                           the thread that read it and a REGISTER reaches the UDP socket without a
 *                           cross-thread wake-up (the production form)
 * @param throttleOwner      the throttle's owner; empty = the UDP socket's event loop, so that a
 *                           granted REGISTER reaches the wire at once
 * @param dns                DNS queries for RFC 3263
 * @param dnsExecutor        bounded executor for blocking DNS work
 * @param random             jitter, Call-IDs and branches (cnonces come from a SecureRandom)
 * @param preemptiveAuth     answer a registrar's last challenge up front (saves the 401 round trip)
 * @param t1Millis           RFC 3261 T1 (500 ms); Timer F is 64*T1
 * @param targets            where REGISTERs may go ({@code <RegistrarTargets>}); checked on every
 *                           resolved address before anything is sent
 */
public record EngineConfig(String serverName, Optional<String> advertisedAddress, String userAgent,
                           RegistrationSettings registration, TransportConfig transport, Clock clock,
                           List<Owner> owners, Optional<Owner> throttleOwner, DnsLookup dns, Executor dnsExecutor,
                           Random random, boolean preemptiveAuth, long t1Millis, TargetPolicy targets) {
    public EngineConfig {
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(advertisedAddress, "advertisedAddress");
        Objects.requireNonNull(userAgent, "userAgent");
        Objects.requireNonNull(registration, "registration");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(clock, "clock");
        owners = List.copyOf(owners);
        Objects.requireNonNull(throttleOwner, "throttleOwner");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(dnsExecutor, "dnsExecutor");
        Objects.requireNonNull(random, "random");
        if (registration.refreshAt() < 0.1 || registration.refreshAt() > 0.95) {
            throw new IllegalArgumentException("Registration[RefreshAt] must be 0.1–0.95, was " + registration.refreshAt());
        }
        new SipTimers(t1Millis); // checks T1
    }

    /** Timer E/F from {@code t1Millis}. */
    public SipTimers timers() {
        return new SipTimers(t1Millis);
    }

    /** With the default {@link TargetPolicy} (inward and metadata ranges refused, loopback too). */
    public EngineConfig(String serverName, Optional<String> advertisedAddress, String userAgent,
                        RegistrationSettings registration, TransportConfig transport, Clock clock,
                        List<Owner> owners, Optional<Owner> throttleOwner, DnsLookup dns, Executor dnsExecutor,
                        Random random, boolean preemptiveAuth, long t1Millis) {
        this(serverName, advertisedAddress, userAgent, registration, transport, clock, owners, throttleOwner, dns,
                dnsExecutor, random, preemptiveAuth, t1Millis, TargetPolicy.defaults());
    }
}
