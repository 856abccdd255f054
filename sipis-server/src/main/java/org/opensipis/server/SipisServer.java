package org.opensipis.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.http.HttpLimits;
import org.opensipis.http.HttpServer;
import org.opensipis.http.HttpServices;
import org.opensipis.server.instances.InstanceDirectory;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.sip.registration.RegistrationListener;
import org.opensipis.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one process: builds every component from one
 * {@link Configuration}, in order — store, registration engine, shard restore, change
 * notifications, HTTP — and closes them in reverse order (HTTP stops accepting, the engine
 * unregisters within {@code Registration/ShutdownTimeout}, the store writes pending state).
 */
public final class SipisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipisServer.class);

    private final Configuration configuration;
    private final SipisKey key;
    private final Clock clock;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private volatile HttpServer http;
    private volatile Store store;
    private volatile RegistrationEngine engine;
    private final InstanceDirectory directory;

    public SipisServer(Configuration configuration, SipisKey key) {
        this(configuration, key, Clock.systemUTC());
    }

    SipisServer(Configuration configuration, SipisKey key, Clock clock) {
        this.configuration = configuration;
        this.key = key;
        this.clock = clock;
        this.directory = new InstanceDirectory(clock);
    }

    /** Starts the components; on failure closes what was started and rethrows. */
    public void start() throws Exception {
        Settings s = configuration.settings();
        Shard shard = configuration.shard();
        try {
            LOG.info("sipis {} starting: {}", s.server().name(), shard);
            store = Store.open(s.database(), s.restart(), key, s.server().name(), clock);
            started.push(store);
            LOG.info("database: {}", store.describe());

            engine = RegistrationEngine.create(s, new RegistrationListener() {
                @Override
                public void stateChanged(InstanceState state) {
                    store.stateWriter().write(state);
                    directory.update(state);
                }

                @Override
                public void removed(String selector) {
                    directory.remove(selector);
                }
            });
            started.push(engine);

            long loaded = store.loadShard(shard, li -> adopt(li.record(), li.state()));
            LOG.info("restored {} instances of {}; registering them through the throttle ({} REGISTERs/s)", loaded,
                    shard, s.registration().globalRate());
            store.listen(this::changed);

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ProcessStatus status = new ProcessStatus(s.server().name(), clock, store, engine, Map::of);
            http = HttpServer.start(s.httpServer(), s.administrator(), new HttpServices(store, Optional.of(key),
                    s.dataProtection().acceptPlainRegistrations(), configuration.lb2(), shard, status, directory,
                    meters, clock, HttpLimits.DEFAULTS));
            started.push(http);
            LOG.info("HTTP interface on {}", http.address());
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** A stored registration this process owns: keep it (registered, or Idle while the app is in front). */
    private void adopt(InstanceRecord record, Optional<InstanceState> previous) {
        Settings s = configuration.settings();
        if (s.ignores(record.appId())) {
            LOG.debug("ignoring {} (app id {} is in IgnoredAppIds)", record.selector(), record.appId());
            return;
        }
        directory.put(record, previous);
        engine.register(record, previous);
    }

    /** A registration changed in the database (any process's HTTP interface). */
    private void changed(String selector) {
        store.find(selector).whenComplete((found, error) -> {
            if (error != null) {
                LOG.warn("cannot read changed registration {}: {}", selector, error.toString());
                return;
            }
            if (found.isEmpty()) {
                if (directory.record(selector).isPresent()) {
                    LOG.info("instance {} was deleted", selector);
                    engine.remove(selector);
                }
                return;
            }
            InstanceRecord r = found.get();
            if (!configuration.shard().owns(r.selector(), r.appId())) {
                return;
            }
            adopt(r, engine.state(selector));
        });
    }

    public Configuration configuration() {
        return configuration;
    }

    /** The bound HTTP port (tests). */
    public int httpPort() {
        return http.port();
    }

    public InstanceDirectory directory() {
        return directory;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
