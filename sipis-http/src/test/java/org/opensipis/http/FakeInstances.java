package org.opensipis.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.http.status.InstancePage;
import org.opensipis.http.status.InstanceRow;
import org.opensipis.http.status.InstanceView;

/** Hand-written {@link InstanceView} over a sorted map. */
final class FakeInstances implements InstanceView {

    final NavigableMap<String, InstanceRow> rows = new ConcurrentSkipListMap<>();

    static FakeInstances withRows(int n) {
        FakeInstances f = new FakeInstances();
        RegistrationState[] states = RegistrationState.values();
        for (int i = 0; i < n; i++) {
            String sel = String.format("%040X:%08X", i, i);
            f.rows.put(sel, new InstanceRow(sel, "user" + i, "example.com", i % 2 == 0 ? "" : "proxy.example.com",
                    i % 3 == 0 ? 0 : 5060, states[i % states.length], i % 5 == 4 ? "403 Forbidden" : "",
                    Duration.ofSeconds(i), "devices 1, calls 0, waiting 0"));
        }
        return f;
    }

    @Override
    public Map<RegistrationState, Long> countByState() {
        Map<RegistrationState, Long> m = new EnumMap<>(RegistrationState.class);
        for (InstanceRow r : rows.values()) {
            m.merge(r.state(), 1L, Long::sum);
        }
        return m;
    }

    @Override
    public InstancePage page(String selectorPrefix, int offset, int limit) {
        NavigableMap<String, InstanceRow> sub = selectorPrefix.isEmpty() ? rows
                : rows.subMap(selectorPrefix, true, selectorPrefix + Character.MAX_VALUE, false);
        List<InstanceRow> out = new ArrayList<>();
        int i = 0;
        for (InstanceRow r : sub.values()) {
            if (i++ >= offset) {
                out.add(r);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return new InstancePage(sub.size(), out);
    }
}
