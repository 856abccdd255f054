package org.opensipis.sip.app;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.settings.TlsServerOptions;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.Owners;
import org.opensipis.sip.owner.ThreadOwner;
import org.opensipis.sip.message.StreamFramer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app leg's listener (docs/app-protocol.md): accepts app flows on {@code Server[Address]:Port}
 * over TCP or TLS, answers keep-alives, authenticates REGISTERs and reports foreground, background
 * and progress to an {@link AppPresence}. Start with {@link #start}; {@link #flowOf} gives the flow
 * to send a request to the app over; {@link #close} stops listening and closes every flow.
 */
public final class AppLegServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AppLegServer.class);

    private final EventLoopGroup group;
    private final AppRegistrar registrar;
    private final AppLegStats stats = new AppLegStats();
    private final AutoCloseable ownedOwner;
    private Channel listener;

    private AppLegServer(AppLegConfig cfg, AppDirectory directory, AppPresence presence, Owners owners, Clock clock,
                         AutoCloseable ownedOwner) {
        this.group = new MultiThreadIoEventLoopGroup(cfg.ioThreads(), new DefaultThreadFactory("sipis-app-io"),
                NioIoHandler.newFactory());
        this.registrar = new AppRegistrar(cfg, directory, presence, owners, clock, stats);
        this.ownedOwner = ownedOwner;
    }

    /**
     * Starts the app leg of a process: {@code Server[Address]:Port}, TLS when
     * {@code Server[Transport]="Tls"}, realm {@code Server[Realm]}, each selector's binding on its
     * owner among {@code owners} (the registration engine's, so that the instance has one owner),
     * and the system clock.
     *
     * @throws IOException naming the address that cannot be bound or the TLS file that cannot be read
     */
    public static AppLegServer start(Settings settings, AppDirectory directory, AppPresence presence, Owners owners)
            throws IOException {
        return start(AppLegConfig.of(settings.server(), settings.tlsServerOptions()), directory, presence, owners,
                Clock.systemUTC());
    }

    /**
     * Starts with its own owner thread ({@code sipis-app-owner}) for every selector, closed with
     * the server (tools and benchmarks that run the app leg alone).
     */
    public static AppLegServer start(Settings settings, AppDirectory directory, AppPresence presence) throws IOException {
        ThreadOwner owner = new ThreadOwner("sipis-app-owner");
        return start(AppLegConfig.of(settings.server(), settings.tlsServerOptions()), directory, presence,
                Owners.single(owner), Clock.systemUTC(), owner);
    }

    /**
     * Starts with an explicit configuration, one owner executor for every selector and a clock
     * (the owner's timers must follow that clock). The caller keeps the owner and closes it after
     * this server.
     */
    public static AppLegServer start(AppLegConfig cfg, AppDirectory directory, AppPresence presence, Owner owner,
                                     Clock clock) throws IOException {
        return start(cfg, directory, presence, Owners.single(owner), clock, null);
    }

    /** Like {@link #start(AppLegConfig, AppDirectory, AppPresence, Owner, Clock)}, each selector on its owner. */
    public static AppLegServer start(AppLegConfig cfg, AppDirectory directory, AppPresence presence, Owners owners,
                                     Clock clock) throws IOException {
        return start(cfg, directory, presence, owners, clock, null);
    }

    private static AppLegServer start(AppLegConfig cfg, AppDirectory directory, AppPresence presence, Owners owners,
                                      Clock clock, AutoCloseable ownedOwner) throws IOException {
        AppLegServer s = new AppLegServer(cfg, directory, presence, owners, clock, ownedOwner);
        try {
            s.bind(cfg, owners);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void bind(AppLegConfig cfg, Owners owners) throws IOException {
        SslContext ssl = cfg.tls() ? serverTls(cfg.tlsOptions()) : null;
        AtomicLong ids = new AtomicLong();
        // A flow that sends nothing for longer than the longest registration plus the grace period
        // carries no app any more (behind LB2 pings never reach us, refreshes do): close it.
        long idleSeconds = cfg.maxExpires() + cfg.grace().toSeconds() + 60;
        try {
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (ssl != null) {
                                ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS),
                                    new StreamFramer(StreamFramer.DEFAULT_MAX_MESSAGE, true), new FlowHandler(registrar, owners, stats, ids, ssl != null));
                        }
                    })
                    .bind(cfg.address(), cfg.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the app leg to " + cfg.address() + ":" + cfg.port(), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot listen for apps on Server[Address]:Port " + cfg.address() + ":" + cfg.port()
                    + ": " + e.getMessage(), e);
        }
        LOG.info("App leg listening on {} ({}, realm {})", listener.localAddress(), cfg.tls() ? "TLS" : "TCP", cfg.realm());
    }

    private static SslContext serverTls(TlsServerOptions o) throws IOException {
        List<String> protocols = new ArrayList<>();
        for (String v : new String[] {"1.2", "1.3"}) {
            if (v.compareTo(o.minVersion()) >= 0 && v.compareTo(o.maxVersion()) <= 0) {
                protocols.add("TLSv" + v);
            }
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(o.certificate().orElseThrow().toFile(), o.privateKey().orElseThrow().toFile())
                    .protocols(protocols.isEmpty() ? List.of("TLSv1.2", "TLSv1.3") : protocols);
            if (!o.cipherSuites().isEmpty()) {
                b.ciphers(o.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE);
            }
            return b.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("TlsServerOptions: cannot load the certificate " + o.certificate().orElseThrow()
                    + " or key " + o.privateKey().orElseThrow() + " (PEM, PKCS#8 key): " + e.getMessage(), e);
        }
    }

    /** The bound address (the real port when the configured one was 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Whether the app-leg listening socket is open (readiness). */
    public boolean isBound() {
        Channel l = listener;
        return l != null && l.isActive();
    }

    public int port() {
        return address().getPort();
    }

    /**
     * The open flow the app of {@code selector} last registered on (foreground or not), to send a
     * request to the app over (RFC 5626). Any thread.
     */
    public Optional<AppFlow> flowOf(String selector) {
        return bindingOf(selector).map(AppBinding::flow).filter(AppFlow::isOpen);
    }

    /** The app's current registration for {@code selector}, if it ever registered since start. Any thread. */
    public Optional<AppBinding> bindingOf(String selector) {
        return registrar.binding(selector.toUpperCase(Locale.ROOT));
    }

    public AppLegStats stats() {
        return stats;
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        if (ownedOwner != null) {
            try {
                ownedOwner.close();
            } catch (Exception e) {
                LOG.warn("Closing the app leg owner failed", e);
            }
        }
    }
}
