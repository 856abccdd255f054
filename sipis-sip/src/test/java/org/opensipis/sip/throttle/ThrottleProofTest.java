package org.opensipis.sip.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.sip.dns.DnsjavaLookup;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.registration.EngineConfig;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationEngines;
import org.opensipis.sip.testing.EngineHarness;
import org.opensipis.sip.testing.FakeRegistrar;
import org.opensipis.sip.transport.TransportConfig;

/**
 * The restore flood, counted at the registrar: 10,000 instances restored at once with a limit of
 * 500 REGISTERs/s never exceed 525 in any sliding one-second window. Real time (about 20 s), real
 * owner threads, the fake registrar over UDP with digest.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ThrottleProofTest {

    @Test
    void restoringTenThousandInstancesStaysUnderTheLimitAtTheRegistrar() throws Exception {
        int n = 10_000;
        try (FakeRegistrar registrar = new FakeRegistrar();
             ThreadOwner o1 = new ThreadOwner("sipis-sip-owner-t0");
             ThreadOwner o2 = new ThreadOwner("sipis-sip-owner-t1")) {
            registrar.recordArrivals = true;
            for (int i = 0; i < n; i++) {
                registrar.addUser("u" + i, "pw" + i);
            }
            RegistrationSettings rs = new RegistrationSettings(500, 500, 200, 0.5, 0.1, Duration.ofSeconds(3600),
                    Duration.ofSeconds(10), Duration.ofSeconds(80), Duration.ofSeconds(60), Duration.ofSeconds(240),
                    Duration.ofSeconds(300), Duration.ofSeconds(1200), Duration.ofSeconds(1));
            TransportConfig tc = new TransportConfig("127.0.0.1", 1, Optional.empty(), List.of(), false,
                    Duration.ofSeconds(30), Duration.ofSeconds(5));
            List<Owner> owners = List.of(o1, o2);
            EngineConfig cfg = new EngineConfig("proof", Optional.empty(), "SIPIS-test", rs, tc, Clock.systemUTC(), owners,
                    Optional.empty(), new DnsjavaLookup(), Runnable::run, new SecureRandom(), true, 500, EngineHarness.LOOPBACK);
            RegistrationEngine engine = RegistrationEngines.open(cfg, s -> { });
            try {
                for (int i = 0; i < n; i++) {
                    engine.register(EngineHarness.record(String.format("%08X", i), "u" + i, "pw" + i, registrar.udpPort(),
                            Transport.UDP), Optional.empty());
                }
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                        engine.snapshot().stream().filter(s -> s.state() == RegistrationState.REGISTERED).count() == n);
            } finally {
                engine.close();
            }
            List<Long> t = new ArrayList<>(registrar.arrivals);
            t.sort(null);
            int max = 0;
            int from = 0;
            for (int to = 0; to < t.size(); to++) {
                while (t.get(to) - t.get(from) >= 1000) {
                    from++;
                }
                max = Math.max(max, to - from + 1);
            }
            assertThat(t.size()).isGreaterThanOrEqualTo(n);
            assertThat(max).as("REGISTERs in the busiest one-second window").isLessThanOrEqualTo(525);
            System.out.printf("throttle proof: %d REGISTERs, busiest 1-s window %d%n", t.size(), max);
        }
    }
}
