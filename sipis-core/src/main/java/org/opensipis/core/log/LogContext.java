package org.opensipis.core.log;

import org.slf4j.MDC;

/**
 * The MDC keys SIPIS puts on log lines about one instance or one call, so that an operator can
 * grep (or a JSON log shipper can filter) every line of a selector, a call or a registrar. Use
 * narrowly around the log statements, on the thread that logs:
 * <pre>{@code try (LogContext c = LogContext.instance(selector, registrar)) { LOG.info(...); }}</pre>
 * Closing restores what the keys held before, so contexts nest.
 */
public final class LogContext implements AutoCloseable {

    public static final String SELECTOR = "selector";
    public static final String CALL_ID = "callId";
    public static final String REGISTRAR = "registrar";

    private final String[] keys;
    private final String[] previous;

    private LogContext(String... keysAndValues) {
        int n = keysAndValues.length / 2;
        keys = new String[n];
        previous = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = keysAndValues[2 * i];
            previous[i] = MDC.get(keys[i]);
            String v = keysAndValues[2 * i + 1];
            if (v != null) {
                MDC.put(keys[i], v);
            }
        }
    }

    /** {@code selector} and {@code registrar} (either may be null). */
    public static LogContext instance(String selector, String registrar) {
        return new LogContext(SELECTOR, selector, REGISTRAR, registrar);
    }

    /** {@code selector} and {@code callId} (either may be null). */
    public static LogContext call(String selector, String callId) {
        return new LogContext(SELECTOR, selector, CALL_ID, callId);
    }

    @Override
    public void close() {
        for (int i = keys.length - 1; i >= 0; i--) {
            if (previous[i] == null) {
                MDC.remove(keys[i]);
            } else {
                MDC.put(keys[i], previous[i]);
            }
        }
    }
}
