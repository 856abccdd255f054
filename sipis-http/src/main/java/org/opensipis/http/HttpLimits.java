package org.opensipis.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Protective limits of the HTTP interface (docs/http-api.md, "Limits"). The defaults suit
 * production; tests shorten the timeouts.
 *
 * @param maxInitialLineLength longest request line (414 beyond)
 * @param maxHeaderSize        total header bytes (431 beyond)
 * @param maxBodyBytes         largest body (413 beyond)
 * @param requestTimeout       a request must arrive completely within this, from its first byte (408)
 * @param idleTimeout          a keep-alive connection with no request in flight is closed after this
 * @param maxConnections       open connections per process; more are closed at once
 * @param workerThreads        threads of the "sipis-http-worker" executor running endpoints
 * @param workerQueue          endpoint tasks that may wait for a worker (503 beyond)
 * @param maxPipelined         requests a connection may pipeline ahead of its replies (closed beyond)
 */
public record HttpLimits(int maxInitialLineLength, int maxHeaderSize, int maxBodyBytes, Duration requestTimeout,
                         Duration idleTimeout, int maxConnections, int workerThreads, int workerQueue,
                         int maxPipelined) {

    public static final HttpLimits DEFAULTS = new HttpLimits(4096, 8192, 64 * 1024, Duration.ofSeconds(10),
            Duration.ofSeconds(60), 2048, 2, 512, 16);

    public HttpLimits {
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxInitialLineLength < 256 || maxHeaderSize < 1024 || maxBodyBytes < 1024 || maxConnections < 1
                || workerThreads < 1 || workerQueue < 1 || maxPipelined < 1
                || requestTimeout.isNegative() || requestTimeout.isZero()
                || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("HTTP limits out of range: " + HttpLimits.class.getSimpleName()
                    + "[line>=256, headers>=1024, body>=1024, timeouts>0, counts>=1], was " + this);
        }
    }

    public HttpLimits withTimeouts(Duration request, Duration idle) {
        return new HttpLimits(maxInitialLineLength, maxHeaderSize, maxBodyBytes, request, idle, maxConnections,
                workerThreads, workerQueue, maxPipelined);
    }

    public HttpLimits withMaxBodyBytes(int bytes) {
        return new HttpLimits(maxInitialLineLength, maxHeaderSize, bytes, requestTimeout, idleTimeout, maxConnections,
                workerThreads, workerQueue, maxPipelined);
    }
}
