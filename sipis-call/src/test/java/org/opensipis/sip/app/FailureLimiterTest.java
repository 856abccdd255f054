package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.opensipis.core.testing.FakeClock;

class FailureLimiterTest {

    final FakeClock clock = new FakeClock();

    @Test
    void fiveFailuresAMinuteThenOneTryEveryTwelveSeconds() {
        FailureLimiter l = new FailureLimiter(clock, 5, 100);
        for (int i = 0; i < 5; i++) {
            assertThat(l.allowed("a")).isTrue();
            l.failed("a");
        }
        assertThat(l.allowed("a")).isFalse();
        assertThat(l.allowed("b")).isTrue();
        clock.advance(Duration.ofSeconds(11));
        assertThat(l.allowed("a")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(l.allowed("a")).isTrue();
    }

    @Test
    void theTableStaysBounded() {
        FailureLimiter l = new FailureLimiter(clock, 5, 10);
        for (int i = 0; i < 100; i++) {
            l.failed("k" + i);
        }
        assertThat(l.size()).isLessThanOrEqualTo(10);
        clock.advance(Duration.ofMinutes(1));
        l.failed("late");
        assertThat(l.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void aRateBelowOneIsRejected() {
        assertThatThrownBy(() -> new FailureLimiter(clock, 0, 10)).hasMessageContaining("at least 1");
    }
}
