package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opensipis.core.testing.FakeClock;
import org.slf4j.LoggerFactory;

/** What a registrar outage writes to the log, on a fake clock: once, rate-limited, never a line per instance. */
class RegistrarHealthTest {

    private static final String REG = "127.0.0.1:5060/udp";
    private final FakeClock clock = new FakeClock();
    private final RegistrarHealth health = new RegistrarHealth(clock, 60_000, 64_000);
    private final Logger log = (Logger) LoggerFactory.getLogger(RegistrarHealth.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void attach() {
        lines.start();
        log.addAppender(lines);
    }

    @AfterEach
    void detach() {
        log.detachAppender(lines);
    }

    private List<String> at(Level level) {
        return lines.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private long now() {
        return clock.millis();
    }

    @Test
    void timeoutsOfRequestsSentBeforeItAnsweredAgainAreStaleAndLogNothing() {
        long sentDuringOutage = now();
        clock.advance(Duration.ofSeconds(32));
        for (int i = 0; i < 500; i++) {
            assertThat(health.failed(REG, "timeout", sentDuringOutage)).isTrue();
        }
        assertThat(at(Level.WARN)).singleElement().asString().contains("is not answering");
        clock.advance(Duration.ofSeconds(13));
        health.answered(REG);
        assertThat(at(Level.INFO)).singleElement().asString().contains("answers again after 500 failed REGISTERs");
        // Timer F of the REGISTERs sent while it was down fires during the next 32 s, between answers
        for (int i = 0; i < 70; i++) {
            clock.advance(Duration.ofMillis(400));
            assertThat(health.failed(REG, "timeout", sentDuringOutage + i * 100)).isFalse();
            health.answered(REG);
        }
        assertThat(health.failing()).isZero();
        assertThat(health.staleFailures()).isEqualTo(70);
        assertThat(at(Level.WARN)).hasSize(1);
        assertThat(at(Level.INFO)).hasSize(1);
    }

    @Test
    void aRegistrarThatAnswersAndFailsByTurnsWarnsAtMostOncePerPeriod() {
        for (int s = 0; s < 300; s++) { // 5 min: a failure and an answer every second
            clock.advance(Duration.ofSeconds(1));
            health.failed(REG, "timeout", now());
            clock.advance(Duration.ofMillis(1));
            health.answered(REG);
        }
        assertThat(at(Level.WARN)).hasSizeBetween(5, 6);
        assertThat(at(Level.WARN).get(0)).contains("is not answering");
        // a relapse that was not announced does not announce its end either
        assertThat(at(Level.INFO)).hasSize(at(Level.WARN).size());
    }

    @Test
    void aContinuingOutageIsSummedUpOncePerPeriodAndANewOneAfterItIsAnnouncedAgain() {
        for (int s = 0; s < 150; s++) {
            health.failed(REG, "timeout", now());
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(at(Level.WARN)).hasSize(3); // 0 s, 60 s, 120 s
        assertThat(at(Level.WARN).get(1)).contains("still not answering: 60 failed REGISTERs in the last 60 s");
        health.answered(REG);
        clock.advance(Duration.ofMinutes(10));
        health.answered(REG); // long healthy: forgotten
        assertThat(health.failing()).isZero();
        health.failed(REG, "transport: refused", now());
        assertThat(at(Level.WARN)).hasSize(4);
        assertThat(at(Level.WARN).get(3)).contains("is not answering: transport: refused");
        assertThat(health.failed("10.0.0.1:5060/udp", "timeout", now())).isTrue();
        assertThat(at(Level.WARN)).hasSize(5); // another registrar has its own line
    }

    @Test
    void afterTheWallClockSteppedBackANewOutageIsStillAnnounced() {
        health.failed(REG, "timeout", now());
        clock.advance(Duration.ofSeconds(5));
        health.answered(REG);
        clock.set(clock.instant().minus(Duration.ofHours(1))); // NTP steps the clock back
        clock.advance(Duration.ofMinutes(2));
        // sent (by the new time) long before the answer: not stale, and the last WARN an hour "ahead" does not mute it
        assertThat(health.failed(REG, "timeout", now())).isTrue();
        assertThat(at(Level.WARN)).hasSize(2);
        assertThat(health.failing()).isEqualTo(1);
    }

    @Test
    void theThrottleIsToldOfOneRegistrarsOutageAndRecoveryInOrder() {
        java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        RegistrarHealth h = new RegistrarHealth(clock, 60_000, 64_000, r -> told.add("failing " + r),
                r -> told.add("recovered " + r));
        h.failed(REG, "timeout", now());
        h.failed(REG, "timeout", now());
        h.answered(REG);
        h.answered(REG);
        assertThat(h.failed(REG, "timeout", now() - 1)).isFalse(); // stale: the throttle is not told
        assertThat(told).containsExactly("failing " + REG, "failing " + REG, "recovered " + REG);
    }
}
