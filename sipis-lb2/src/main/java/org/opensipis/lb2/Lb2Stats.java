package org.opensipis.lb2;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the router, read by logs, tests and benchmarks. Thread-safe. */
public final class Lb2Stats {

    final LongAdder flows = new LongAdder();
    final LongAdder toBackend = new LongAdder();
    final LongAdder toApp = new LongAdder();
    final LongAdder malformed = new LongAdder();
    /** Backends that cannot be reached: one WARN per 10 s, so that a dead backend and busy apps do not flood the log. */
    final org.opensipis.core.log.RateLimitedLog backendLog =
            new org.opensipis.core.log.RateLimitedLog(org.slf4j.LoggerFactory.getLogger(LoadBalancer.class), 10, java.util.concurrent.TimeUnit.SECONDS);
    /** Malformed input on any app flow: one WARN per 10 s for the whole LB2. */
    final org.opensipis.core.log.RateLimitedLog refusedLog =
            new org.opensipis.core.log.RateLimitedLog(org.slf4j.LoggerFactory.getLogger(TcpFlowHandler.class), 10, java.util.concurrent.TimeUnit.SECONDS);
    final LongAdder backendFailures = new LongAdder();
    final LongAdder noRoute = new LongAdder();
    final LongAdder pings = new LongAdder();

    public long flows() {
        return flows.sum();
    }

    public long messagesToBackend() {
        return toBackend.sum();
    }

    public long messagesToApp() {
        return toApp.sum();
    }

    public long malformed() {
        return malformed.sum();
    }

    public long backendFailures() {
        return backendFailures.sum();
    }

    public long noRoute() {
        return noRoute.sum();
    }

    public long pings() {
        return pings.sum();
    }

    @Override
    public String toString() {
        return "flows=" + flows() + " toBackend=" + messagesToBackend() + " toApp=" + messagesToApp() + " malformed="
                + malformed() + " backendFailures=" + backendFailures() + " noRoute=" + noRoute() + " pings=" + pings();
    }
}
