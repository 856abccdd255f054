package org.opensipis.server.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.opensipis.core.settings.SettingsException;
import org.opensipis.core.shard.Lb2Loader;
import org.opensipis.core.xml.Problem;
import org.opensipis.core.shard.HostPort;
import org.opensipis.lb2.LoadBalancer;
import org.opensipis.server.Lb2Metrics;
import org.opensipis.server.logging.Logging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/**
 * {@code sipis lb2 Settings.xml}: runs the LoadBalancer2-compatible router on the file the
 * SIPIS processes read. SIGHUP ({@code systemctl reload}) re-reads the file; a broken file is
 * reported and the previous table kept.
 */
@Command(name = "lb2", mixinStandardHelpOptions = true,
        description = "Run the LoadBalancer2-compatible router (reload with SIGHUP).")
final class Lb2Command implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Lb2Command.class);

    @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "SETTINGS",
            defaultValue = "/etc/acrobits/LoadBalancer2/Settings.xml", description = "LoadBalancer2 settings (default: ${DEFAULT-VALUE}).")
    Path file;

    @CommandLine.Option(names = "--threads", description = "Event loop threads (default: number of cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @CommandLine.Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (default: off). Use a loopback address"
                    + " unless the network is trusted.")
    String metrics;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        Logging.consoleOnly();
        Lb2Loader.Loaded loaded;
        try {
            loaded = Lb2Loader.load(file);
        } catch (SettingsException e) {
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.CONFIGURATION;
        }
        for (Problem p : loaded.warnings()) {
            LOG.warn("{}", p);
        }
        java.net.InetSocketAddress metricsAddress = null;
        if (metrics != null) {
            try {
                HostPort hp = HostPort.parse(metrics);
                metricsAddress = new java.net.InetSocketAddress(hp.host(), hp.port());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--metrics \"" + metrics + "\" must be "
                        + e.getMessage());
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (LoadBalancer lb = LoadBalancer.start(loaded.settings(), Math.max(1, threads));
             Lb2Metrics served = metricsAddress == null ? null : Lb2Metrics.start(metricsAddress, lb.stats())) {
            Signal.handle(new Signal("HUP"), s -> reload(lb));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    stopped.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "sipis-lb2-shutdown"));
            stop.await();
            LOG.info("LB2 stopping: {}", lb.stats());
        } finally {
            stopped.countDown();
        }
        return ExitCodes.OK;
    }

    private void reload(LoadBalancer lb) {
        try {
            Lb2Loader.Loaded l = Lb2Loader.load(file);
            l.warnings().forEach(p -> LOG.warn("{}", p));
            lb.reload(l.settings());
        } catch (SettingsException e) {
            LOG.error("LB2 reload refused, keeping the previous table: {}", e.getMessage());
        }
    }
}
