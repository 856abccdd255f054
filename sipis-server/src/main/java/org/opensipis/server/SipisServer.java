package org.opensipis.server;

import java.util.ArrayDeque;
import java.util.Deque;
import org.opensipis.core.crypto.SipisKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one process: builds every component from one
 * {@link Configuration}, in order, and closes them in reverse order.
 */
public final class SipisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipisServer.class);

    private final Configuration configuration;
    private final SipisKey key;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    public SipisServer(Configuration configuration, SipisKey key) {
        this.configuration = configuration;
        this.key = key;
    }

    /** Starts the components; on failure closes what was started and rethrows. */
    public void start() throws Exception {
        try {
            LOG.info("sipis {} starting: {}", configuration.settings().server().name(), configuration.shard());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public Configuration configuration() {
        return configuration;
    }

    SipisKey key() {
        return key;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c, e.toString());
            }
        }
    }
}
