package org.opensipis.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.settings.AdministratorSettings;
import org.opensipis.core.settings.HttpServerSettings;
import org.opensipis.http.abuse.RegistrationGate;
import org.opensipis.http.auth.AdminAuth;
import org.opensipis.http.control.ControlEndpoints;
import org.opensipis.http.control.ControlPlane;
import org.opensipis.http.metrics.MetricsEndpoint;
import org.opensipis.http.metrics.SipisMeters;
import org.opensipis.http.register.RegisterEndpoint;
import org.opensipis.http.status.HealthEndpoints;
import org.opensipis.http.status.StatusEndpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP interface of one SIPIS process ({@code HttpServer[Address]:[Port]}): the app's
 * registration endpoint, /about, /stats, /stats/summary/json and /metrics. See
 * docs/http-api.md. Created with {@link #start}; the creator closes it.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final EventLoopGroup accept;
    private final EventLoopGroup io;
    private final ThreadPoolExecutor worker;
    private final ThreadPoolExecutor dns;
    private final Channel channel;

    private HttpServer(EventLoopGroup accept, EventLoopGroup io, ThreadPoolExecutor worker, ThreadPoolExecutor dns,
                       Channel channel) {
        this.accept = accept;
        this.io = io;
        this.worker = worker;
        this.dns = dns;
        this.channel = channel;
    }

    /**
     * Binds and starts serving. Port 0 picks a free port (see {@link #port()}).
     *
     * @throws IllegalStateException naming the address if it cannot be bound
     */
    public static HttpServer start(HttpServerSettings settings, AdministratorSettings admin, HttpServices services) {
        HttpLimits limits = services.limits();
        String name = services.shard().serverName();
        AdminAuth guard = AdminAuth.of(settings.authenticationMethod(), admin, "SIPIS " + name, services.clock());
        SipisMeters.bindGauges(services.meters(), services.status(), services.instances());
        // registrar A/AAAA lookups at registration time: bounded, a full queue leaves the check to the engine
        ThreadPoolExecutor dns = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
                new DefaultThreadFactory("sipis-http-dns", true));
        Routes routes = routes(services, guard, dns);
        ThreadPoolExecutor worker = new ThreadPoolExecutor(limits.workerThreads(), limits.workerThreads(), 30,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(limits.workerQueue()),
                new DefaultThreadFactory("sipis-http-worker", true));
        EventLoopGroup accept = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sipis-http-accept", true),
                NioIoHandler.newFactory());
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("sipis-http-io", true),
                NioIoHandler.newFactory());
        InetSocketAddress bindTo = bindAddress(settings);
        try {
            Channel ch = new ServerBootstrap().group(accept, io).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 256 * 1024))
                    .childHandler(new ChannelSetup(limits, routes, worker))
                    .bind(bindTo).syncUninterruptibly().channel();
            HttpServer s = new HttpServer(accept, io, worker, dns, ch);
            LOG.info("HTTP interface of {} listening on {} (admin auth {})", name, ch.localAddress(),
                    settings.authenticationMethod());
            return s;
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared
            shutdown(accept, io, worker);
            dns.shutdownNow();
            throw new IllegalStateException("cannot listen on HttpServer[Address]:[Port] = " + settings.address() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    private static Routes routes(HttpServices s, AdminAuth guard, ThreadPoolExecutor dns) {
        RegistrationGate gate = new RegistrationGate(s.abuse(), dns, s.clock(), s.meters());
        RegisterEndpoint register = new RegisterEndpoint(s.store(), s.key(), s.acceptPlainRegistrations(), s.lb2(),
                s.shard(), s.clock(), gate);
        StatusEndpoints status = new StatusEndpoints(s.status(), s.instances(), Optional.of(s.abuse().admissions()));
        Routes r = new Routes();
        for (String verb : RegisterEndpoint.verbs()) {
            r.add("POST", "/sipis/" + verb, gate.limited(register.endpoint(verb)), Optional.empty());
        }
        r.add("GET", "/about", status.about(), Optional.empty());
        HealthEndpoints health = new HealthEndpoints(s.status());
        r.add("GET", "/health/live", health.live(), Optional.empty());
        r.add("GET", "/health/ready", health.ready(), Optional.empty());
        r.add("GET", "/stats/summary/json", status.summary(), Optional.empty());
        r.add("GET", "/metrics", MetricsEndpoint.of(s.meters()), Optional.empty());
        r.add("GET", "/stats", status.stats(), Optional.of(guard));
        s.control().ifPresent(c -> {
            ControlEndpoints control = new ControlEndpoints(c);
            Optional<AdminAuth> admin = Optional.of(guard);
            r.add("GET", "/control/instances", control.instances(), admin);
            r.add("GET", "/control/instance", control.instance(), admin);
            for (ControlPlane.Action a : ControlPlane.Action.values()) {
                r.add("POST", "/control/instance/" + a.path(), control.action(a), admin);
            }
            r.add("GET", "/control/registrars", control.registrars(), admin);
            r.add("GET", "/control/log-levels", control.logLevels(), admin);
            r.add("POST", "/control/log-level", control.setLogLevel(), admin);
        });
        return r;
    }

    private static InetSocketAddress bindAddress(HttpServerSettings settings) {
        String a = settings.address().trim();
        if (a.isEmpty() || a.equals("0") || a.equals("*")) {
            return new InetSocketAddress(settings.port());
        }
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        return new InetSocketAddress(a, settings.port());
    }

    /** The bound port (the OS's choice when the settings said 0). */
    public int port() {
        return address().getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting, closes connections, stops the threads; waits at most a few seconds. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        shutdown(accept, io, worker);
        dns.shutdownNow();
        LOG.info("HTTP interface on {} closed", channel.localAddress());
    }

    private static void shutdown(EventLoopGroup accept, EventLoopGroup io, ThreadPoolExecutor worker) {
        accept.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(2, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
