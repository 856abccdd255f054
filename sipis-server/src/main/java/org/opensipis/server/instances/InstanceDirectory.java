package org.opensipis.server.instances;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.http.status.InstancePage;
import org.opensipis.http.status.InstanceRow;
import org.opensipis.http.status.InstanceView;

/**
 * The instances this process serves, as the status pages see them: what the app registered
 * (from the store) and the last state the registration engine published. Written from the
 * engine's owner threads and the store's notification thread, read by HTTP workers; a
 * concurrent sorted map keeps pages O(log n + page) and counts per state are kept up to date
 * on every transition, so no request ever walks 100k rows.
 */
public final class InstanceDirectory implements InstanceView {

    private static final class Entry {
        volatile InstanceRecord record;
        volatile RegistrationState state = RegistrationState.IDLE;
        volatile String reason = "";
        /** The last app contact the store was told of (HTTP registrations write it themselves). */
        Instant persistedAppContact;
        /** CSeq of the last state handed to the store, and a hash of its Call-ID and Contact. */
        long persistedCseq = Long.MIN_VALUE;
        int persistedBinding;

        Entry(InstanceRecord record) {
            this.record = record;
            this.persistedAppContact = record.lastAppContact();
        }
    }

    /** A plain refresh is written when its CSeq is this far past the last one written. */
    static final long CSEQ_CHECKPOINT = 100;

    private final Clock clock;
    private final ConcurrentSkipListMap<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final Map<RegistrationState, LongAdder> counts = new EnumMap<>(RegistrationState.class);

    public InstanceDirectory(Clock clock) {
        this.clock = clock;
        for (RegistrationState s : RegistrationState.values()) {
            counts.put(s, new LongAdder());
        }
    }

    /**
     * The selector as this directory keys it: the string of the instance's first record, which the
     * engine and the life cycle key it by too, or {@code selector} when the instance is new. A later
     * record (a change read from the database, an app's registration) brings its own copy of the
     * selector, 96 B; built on this one, a process keeps one per instance.
     */
    public String keyOf(String selector) {
        String k = entries.ceilingKey(selector);
        return selector.equals(k) ? k : selector;
    }

    /** Adds or replaces what the app registered; keeps the known state. */
    public void put(InstanceRecord record, Optional<InstanceState> state) {
        Entry fresh = new Entry(record);
        Entry existing = entries.putIfAbsent(record.selector(), fresh);
        if (existing == null) {
            counts.get(fresh.state).increment();
            state.ifPresent(this::update);
        } else {
            synchronized (existing) {
                Instant known = existing.record.lastAppContact();
                // an app-leg contact newer than the stored registration is kept (its write may be pending)
                existing.record = record.lastAppContact().isBefore(known) ? withLastAppContact(record, known) : record;
                if (record.lastAppContact().isAfter(existing.persistedAppContact)) {
                    existing.persistedAppContact = record.lastAppContact();
                }
            }
        }
    }

    /**
     * The app made contact through the app leg (a REGISTER or a request): its age restarts at
     * {@code at}, as an HTTP registration restarts it. True when the store should be told too:
     * the last time it was is {@code persistEvery} or longer ago.
     */
    public boolean appContact(String selector, Instant at, Duration persistEvery) {
        Entry e = entries.get(selector);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            InstanceRecord r = e.record;
            if (at.isAfter(r.lastAppContact())) {
                e.record = withLastAppContact(r, at);
            }
            if (!at.isBefore(e.persistedAppContact.plus(persistEvery))) {
                e.persistedAppContact = at;
                return true;
            }
            return false;
        }
    }

    private static InstanceRecord withLastAppContact(InstanceRecord r, Instant at) {
        return new InstanceRecord(r.selector(), r.appId(), r.premium(), r.account(), r.appSecret(), r.tokens(), at,
                r.appForeground());
    }

    /**
     * The engine published a state. True when the store must be told: anything but a plain
     * refresh of a registered binding (same state, reason, Call-ID and Contact), and a plain
     * refresh when its CSeq is {@link #CSEQ_CHECKPOINT} or more past the last one told. A restart
     * continues at the stored CSeq + {@code RegistrationEngine.RESTART_CSEQ_GAP} (1000), so the
     * registrar never sees the CSeq go back; the stored {@code registered_until} may be older than
     * the binding's, which only makes a restart refresh earlier. A graceful stop writes every
     * current state ({@code InstanceCoordinator#persistAll}).
     */
    public boolean update(InstanceState state) {
        Entry e = entries.get(state.selector());
        if (e == null) {
            return true;
        }
        int binding = 31 * state.callId().hashCode() + state.contact().hashCode();
        synchronized (e) {
            boolean refresh = e.state == RegistrationState.REGISTERED && state.state() == RegistrationState.REGISTERED
                    && e.reason.equals(state.reason()) && e.persistedBinding == binding
                    && state.cseq() >= e.persistedCseq && state.cseq() - e.persistedCseq < CSEQ_CHECKPOINT;
            if (e.state != state.state()) {
                counts.get(e.state).decrement();
                counts.get(state.state()).increment();
                e.state = state.state();
            }
            e.reason = state.reason();
            if (refresh) {
                return false;
            }
            e.persistedCseq = state.cseq();
            e.persistedBinding = binding;
            return true;
        }
    }

    public void remove(String selector) {
        Entry e = entries.remove(selector);
        if (e != null) {
            synchronized (e) {
                counts.get(e.state).decrement();
            }
        }
    }

    /** Whether the record held for its selector equals {@code record} (nothing in it changed). */
    public boolean holdsEqual(InstanceRecord record) {
        Entry e = entries.get(record.selector());
        return e != null && e.record.equals(record);
    }

    public Optional<InstanceRecord> record(String selector) {
        Entry e = entries.get(selector);
        return e == null ? Optional.empty() : Optional.of(e.record);
    }

    /** What the directory holds about one instance, for the control API. */
    public record Known(InstanceRecord record, RegistrationState state, String reason) {
    }

    /** One instance as the directory knows it. */
    public Optional<Known> known(String selector) {
        Entry e = entries.get(selector);
        return e == null ? Optional.empty() : Optional.of(new Known(e.record, e.state, e.reason));
    }

    /**
     * Visits every instance whose selector starts with {@code selectorPrefix} (empty = all) in
     * selector order, until the visitor returns false. O(matching); for the administrator's views.
     */
    public void scan(String selectorPrefix, java.util.function.Predicate<Known> visitor) {
        NavigableMap<String, Entry> view = selectorPrefix.isEmpty() ? entries
                : entries.subMap(selectorPrefix, true, selectorPrefix + Character.MAX_VALUE, false);
        for (Entry e : view.values()) {
            if (!visitor.test(new Known(e.record, e.state, e.reason))) {
                return;
            }
        }
    }

    public int size() {
        return entries.size();
    }

    @Override
    public Map<RegistrationState, Long> countByState() {
        Map<RegistrationState, Long> out = new EnumMap<>(RegistrationState.class);
        for (Map.Entry<RegistrationState, LongAdder> c : counts.entrySet()) {
            out.put(c.getKey(), c.getValue().sum());
        }
        return out;
    }

    @Override
    public InstancePage page(String selectorPrefix, int offset, int limit) {
        NavigableMap<String, Entry> view = selectorPrefix.isEmpty() ? entries
                : entries.subMap(selectorPrefix, true, selectorPrefix + Character.MAX_VALUE, false);
        List<InstanceRow> rows = new ArrayList<>(Math.min(limit, 500));
        int skipped = 0;
        for (Map.Entry<String, Entry> me : view.entrySet()) {
            if (skipped < offset) {
                skipped++;
                continue;
            }
            if (rows.size() >= limit) {
                break;
            }
            Entry e = me.getValue();
            InstanceRecord r = e.record;
            Duration age = Duration.between(r.lastAppContact(), clock.instant());
            rows.add(new InstanceRow(r.selector(), r.account().user(), r.account().domain(), r.account().proxy().orElse(""),
                    r.account().port(), e.state, e.reason, age.isNegative() ? Duration.ZERO : age,
                    "devices " + r.tokens().size()));
        }
        long total = selectorPrefix.isEmpty() ? entries.size() : view.size();
        return new InstancePage(total, rows);
    }
}
