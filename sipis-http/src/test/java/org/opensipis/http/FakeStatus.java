package org.opensipis.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opensipis.http.status.ServerStatus;

/** Hand-written {@link ServerStatus} with fixed numbers. */
final class FakeStatus implements ServerStatus {

    private final String name;

    FakeStatus(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String versionString() {
        return "0.1.0";
    }

    @Override
    public long versionNumber() {
        return 100;
    }

    @Override
    public String build() {
        return "test-build";
    }

    @Override
    public Duration uptime() {
        return Duration.ofSeconds(42);
    }

    @Override
    public List<Integer> ownerQueueSizes() {
        return List.of(1, 2, 0, 4);
    }

    @Override
    public Map<String, Long> incomingCallOutcomes() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("accepted", 5L);
        m.put("missed", 2L);
        m.put("rejected: <busy>", 1L);
        return m;
    }

    @Override
    public Map<String, Map<String, Long>> pushTestOutcomes() {
        return Map.of("APNS", Map.of("delivered", 3L));
    }

    @Override
    public long throttleQueueDepth() {
        return 7;
    }
}
