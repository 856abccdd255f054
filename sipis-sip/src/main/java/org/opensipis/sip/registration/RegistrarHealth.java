package org.opensipis.sip.registration;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a registrar outage visible in the log without flooding it. Per registrar address: one
 * WARN when it stops answering, then at most one WARN per {@code summaryMillis} with the count of
 * failed REGISTERs (timeouts, transport errors) since the last line, and an INFO once it answers
 * again. The single failures themselves are only counted (metrics, DEBUG per instance).
 *
 * <p>Two things would otherwise turn one outage into a line per instance: REGISTERs sent while
 * it was down still time out (Timer F) after it answers again, and a registrar that drops only
 * some requests answers and fails by turns. So a failure of a request sent before the registrar
 * last answered is stale (it says nothing new and starts no outage), and WARN lines of one
 * registrar are at least {@code summaryMillis} apart even across outages. Thread-safe: owners on
 * several threads report; a registrar's record lives while it fails and for a while after.
 */
final class RegistrarHealth {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrarHealth.class);

    /** How often a continuing outage is summed up by default, and the least time between two WARNs of a registrar. */
    static final long SUMMARY_MILLIS = 60_000;

    /** What is known of one registrar that failed lately. Guarded by itself. */
    private static final class Record {
        boolean failing;
        /** The current outage was logged at WARN (so its end is logged at INFO). */
        boolean announced;
        long since;
        long failures;
        long sinceLine;
        long lastWarn = Long.MIN_VALUE / 2;
        /** When it answered after its last outage; failures of requests sent before are stale. */
        long answeredAt = Long.MIN_VALUE / 2;
        long stale;
    }

    private final Clock clock;
    private final long summaryMillis;
    private final long staleMillis;
    private final Map<String, Record> records = new ConcurrentHashMap<>();
    private final Consumer<String> onFailing;
    private final Consumer<String> onRecovered;

    RegistrarHealth(Clock clock, long summaryMillis, long staleMillis) {
        this(clock, summaryMillis, staleMillis, r -> { }, r -> { });
    }

    /**
     * @param staleMillis how long after an outage's end a failure may still belong to it: the
     *                    longest a REGISTER can wait for its answer (Timer F)
     * @param onFailing   told the registrar's name at each failure that counts (not stale)
     * @param onRecovered told the registrar's name when it answers after failing
     */
    RegistrarHealth(Clock clock, long summaryMillis, long staleMillis, Consumer<String> onFailing,
                    Consumer<String> onRecovered) {
        this.clock = clock;
        this.summaryMillis = summaryMillis;
        this.staleMillis = staleMillis;
        this.onFailing = onFailing;
        this.onRecovered = onRecovered;
    }

    /**
     * A REGISTER to {@code registrar}, first sent at {@code sentAt} (clock millis), got no answer
     * or could not be sent.
     *
     * @return whether it counts towards an outage (false: stale, sent before the registrar last answered)
     */
    boolean failed(String registrar, String reason, long sentAt) {
        Record o = records.computeIfAbsent(registrar, k -> new Record());
        synchronized (o) { // the callbacks too: the throttle is told of one registrar's changes in their order
            boolean counted = count(o, registrar, reason, sentAt);
            if (counted) {
                onFailing.accept(registrar);
            }
            return counted;
        }
    }

    private boolean count(Record o, String registrar, String reason, long sentAt) {
        long now = clock.millis();
        if (!o.failing) {
            // stale: sent before it answered again, at most two Timer F before (a larger gap is the
            // wall clock stepped back, after which every request would look older than the answer)
            if (sentAt < o.answeredAt && o.answeredAt - sentAt <= staleMillis) {
                o.stale++;
                LOG.debug("Registrar {}: a REGISTER sent before it answered again failed: {}", registrar, reason);
                return false;
            }
            o.failing = true;
            o.since = now;
            o.failures = 0;
            o.sinceLine = 0;
        }
        o.failures++;
        o.sinceLine++;
        long sinceWarn = now - o.lastWarn;
        if (sinceWarn >= 0 && sinceWarn < summaryMillis) { // (negative: the wall clock stepped back)
            return true;
        }
        if (!o.announced) {
            LOG.warn("Registrar {} is not answering: {}; instances registering there retry with backoff "
                    + "(failed REGISTERs are counted in sipis_register_responses_total and summed up here at most "
                    + "every {} s)", registrar, reason, summaryMillis / 1000);
            o.announced = true;
        } else {
            LOG.warn("Registrar {} is still not answering: {} failed REGISTERs in the last {} s, {} since {} s ago; "
                    + "last: {}", registrar, o.sinceLine, Math.min(now - o.lastWarn, now - o.since) / 1000,
                    o.failures, (now - o.since) / 1000, reason);
        }
        o.lastWarn = now;
        o.sinceLine = 0;
        return true;
    }

    /** A response came from {@code registrar}: an outage, if there was one, is over. */
    void answered(String registrar) {
        if (records.isEmpty()) {
            return;
        }
        Record o = records.get(registrar);
        if (o != null) {
            synchronized (o) {
                if (ended(registrar, o)) {
                    onRecovered.accept(registrar);
                }
            }
        }
    }

    private boolean ended(String registrar, Record o) {
        synchronized (o) {
            long now = clock.millis();
            if (o.failing) {
                o.failing = false;
                o.answeredAt = now;
                if (o.announced) {
                    LOG.info("Registrar {} answers again after {} failed REGISTERs over {} s", registrar, o.failures,
                            (now - o.since) / 1000);
                } else {
                    // a relapse within the WARN period: counted in the metrics, summed up by the next outage line
                    LOG.debug("Registrar {} answers again after {} failed REGISTERs", registrar, o.failures);
                }
                o.announced = false;
                return true;
            }
            if (Math.abs(now - o.answeredAt) > staleMillis && Math.abs(now - o.lastWarn) >= summaryMillis) {
                records.remove(registrar, o);
            }
            return false;
        }
    }

    /** Registrars currently failing (for tests and status). */
    int failing() {
        int n = 0;
        for (Record o : records.values()) {
            synchronized (o) {
                n += o.failing ? 1 : 0;
            }
        }
        return n;
    }

    /** Failures ignored as stale: requests sent before their registrar answered again (tests). */
    long staleFailures() {
        long n = 0;
        for (Record o : records.values()) {
            synchronized (o) {
                n += o.stale;
            }
        }
        return n;
    }
}
