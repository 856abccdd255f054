package org.opensipis.http.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.http.route.HttpCall;

/** Token buckets on a fake clock, bounded memory, and who a request is from. */
class SourceLimiterTest {

    private final FakeClock clock = new FakeClock();

    @Test
    void burstThenRateWithRetryAfter() {
        SourceLimiter l = new SourceLimiter(2, 5, 100, clock);
        for (int i = 0; i < 5; i++) {
            assertThat(l.acquire("a")).isZero();
        }
        assertThat(l.acquire("a")).isEqualTo(1);
        assertThat(l.acquire("b")).as("another source").isZero();
        clock.advance(Duration.ofMillis(500));
        assertThat(l.acquire("a")).isZero();
        assertThat(l.acquire("a")).isEqualTo(1);
        SourceLimiter slow = new SourceLimiter(0.1, 1, 100, clock);
        assertThat(slow.acquire("a")).isZero();
        assertThat(slow.acquire("a")).isEqualTo(10);
    }

    @Test
    void memoryStaysBoundedAndIdleSourcesAreDropped() {
        SourceLimiter l = new SourceLimiter(1, 1, 3, clock);
        for (String s : List.of("a", "b", "c")) {
            assertThat(l.acquire(s)).isZero();
        }
        // full: new sources share one overflow bucket
        assertThat(l.acquire("d")).isZero();
        assertThat(l.acquire("e")).isEqualTo(1);
        assertThat(l.size()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(2)); // a, b, c have refilled: idle, dropped on the next sweep
        assertThat(l.acquire("f")).isZero();
        assertThat(l.size()).isEqualTo(1);
    }

    private static HttpCall call(String remote, String xff) {
        return new HttpCall("POST", "/sipis/register", "/sipis/register", Map.of(),
                xff == null ? Map.of() : Map.of("x-forwarded-for", xff), new byte[0], remote);
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxiesAndReadFromTheRight() {
        List<Cidr> trusted = List.of(Cidr.parse("127.0.0.1"), Cidr.parse("10.0.0.0/8"));
        assertThat(ClientAddress.of(call("/192.0.2.1:4000", "198.51.100.1"), trusted).describe()).isEqualTo("192.0.2.1");
        assertThat(ClientAddress.of(call("/127.0.0.1:4000", "203.0.113.9, 198.51.100.1, 10.1.1.1"), trusted).describe())
                .isEqualTo("198.51.100.1 via 127.0.0.1");
        assertThat(ClientAddress.of(call("/127.0.0.1:4000", "junk, 198.51.100.2:5555"), trusted).describe())
                .isEqualTo("198.51.100.2 via 127.0.0.1");
        assertThat(ClientAddress.of(call("/127.0.0.1:4000", null), trusted).known()).isFalse();
        ClientAddress v6 = ClientAddress.of(call("/[2001:db8:1:2::7]:4000", null), trusted);
        assertThat(v6.known()).isTrue();
        assertThat(v6.limitKey(64)).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(ClientAddress.of(call("/127.0.0.1:4000", "[2001:db8::9]:443"), trusted).address().getHostAddress())
                .isEqualTo("2001:db8:0:0:0:0:0:9");
    }
}
