package org.opensipis.sip.registration;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a registrar outage visible in the log without flooding it: per registrar address, a
 * WARN at the first failed REGISTER (timeout or transport error), then at most one WARN per
 * {@code summaryMillis} with the count since the last line, and an INFO once it answers again.
 * Thread-safe: owners on several threads report; an address has one outage record at a time.
 */
final class RegistrarHealth {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrarHealth.class);

    /** How often a continuing outage is summed up by default. */
    static final long SUMMARY_MILLIS = 60_000;

    private static final class Outage {
        final long since;
        long lastLine;
        long failures;
        long sinceLine;

        Outage(long since) {
            this.since = since;
            this.lastLine = since;
        }
    }

    private final Clock clock;
    private final long summaryMillis;
    private final Map<String, Outage> outages = new ConcurrentHashMap<>();

    RegistrarHealth(Clock clock, long summaryMillis) {
        this.clock = clock;
        this.summaryMillis = summaryMillis;
    }

    /** A REGISTER to {@code registrar} got no answer or could not be sent. */
    void failed(String registrar, String reason) {
        long now = clock.millis();
        Outage o = outages.computeIfAbsent(registrar, k -> new Outage(now));
        synchronized (o) {
            o.failures++;
            o.sinceLine++;
            if (o.failures == 1) {
                LOG.warn("Registrar {} is not answering: {}; instances registering there retry with backoff "
                        + "(further failures are summed up at most every {} s)", registrar, reason, summaryMillis / 1000);
                o.sinceLine = 0;
            } else if (now - o.lastLine >= summaryMillis) {
                LOG.warn("Registrar {} is still not answering: {} failed REGISTERs in the last {} s, {} since {} s ago; last: {}",
                        registrar, o.sinceLine, (now - o.lastLine) / 1000, o.failures, (now - o.since) / 1000, reason);
                o.lastLine = now;
                o.sinceLine = 0;
            }
        }
    }

    /** A response came from {@code registrar}: an outage, if there was one, is over. */
    void answered(String registrar) {
        if (outages.isEmpty()) {
            return;
        }
        Outage o = outages.remove(registrar);
        if (o != null) {
            synchronized (o) {
                LOG.info("Registrar {} answers again after {} failed REGISTERs over {} s", registrar, o.failures,
                        (clock.millis() - o.since) / 1000);
            }
        }
    }

    /** Registrars currently failing (for tests and status). */
    int failing() {
        return outages.size();
    }
}
