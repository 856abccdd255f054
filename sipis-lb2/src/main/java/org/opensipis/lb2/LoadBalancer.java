package org.opensipis.lb2;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LoadBalancer2-compatible router: listens on the Frontend addresses (UDP, TCP, TLS) and
 * forwards each app flow to the SIPIS process that owns its selector (see docs/app-protocol.md).
 * Start with {@link #start}; {@link #reload} swaps the routing table for new flows;
 * {@link #close} stops listening and closes every flow.
 */
public final class LoadBalancer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadBalancer.class);

    /** Largest SIP message relayed (bytes). */
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;

    private final EventLoopGroup group;
    private final Router router;
    private final Lb2Stats stats = new Lb2Stats();
    private final List<Channel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> udp = new ArrayList<>();
    private final List<InetSocketAddress> tcp = new ArrayList<>();
    private final List<InetSocketAddress> tls = new ArrayList<>();

    private LoadBalancer(Lb2Settings settings, int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("sipis-lb2"), NioIoHandler.newFactory());
        this.router = new Router(settings);
    }

    /**
     * Binds every Frontend address and starts routing.
     *
     * @throws Exception naming the address that cannot be bound or the TLS file that cannot be read
     */
    public static LoadBalancer start(Lb2Settings settings, int threads) throws Exception {
        LoadBalancer lb = new LoadBalancer(settings, threads);
        try {
            lb.bind(settings);
        } catch (Exception e) {
            lb.close();
            throw e;
        }
        return lb;
    }

    private void bind(Lb2Settings s) throws Exception {
        for (HostPort hp : s.tcp()) {
            tcp.add(bindStream(hp, null));
        }
        if (!s.tls().isEmpty()) {
            SslContext ssl = serverTls(s);
            for (HostPort hp : s.tls()) {
                tls.add(bindStream(hp, ssl));
            }
        }
        for (HostPort hp : s.udp()) {
            // Netty reads datagrams into 2 KB buffers by default: a longer SIP message would be cut
            Channel ch = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(io.netty.channel.ChannelOption.RCVBUF_ALLOCATOR,
                            new io.netty.channel.FixedRecvByteBufAllocator(65_535))
                    .handler(new UdpFrontend(router, stats, MAX_MESSAGE_BYTES))
                    .bind(hp.host(), hp.port()).sync().channel();
            listeners.add(ch);
            udp.add((InetSocketAddress) ch.localAddress());
        }
        LOG.info("LB2 listening: udp {} tcp {} tls {}; {} backend entries", udp, tcp, tls, s.backends().size());
    }

    private InetSocketAddress bindStream(HostPort hp, SslContext ssl) throws InterruptedException {
        Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new org.opensipis.sip.message.StreamFramer(MAX_MESSAGE_BYTES, true), new TcpFlowHandler(router, stats, MAX_MESSAGE_BYTES));
                    }
                })
                .bind(hp.host(), hp.port()).sync().channel();
        listeners.add(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    private static SslContext serverTls(Lb2Settings s) throws SSLException {
        Lb2Settings.TlsOptions o = s.defaultTlsOptions();
        if (o.certificate().isEmpty() || o.privateKey().isEmpty()) {
            throw new IllegalArgumentException("Frontend/Tls needs Frontend/DefaultTlsOptions/Certificate[FileName] and PrivateKey[FileName] in "
                    + s.file());
        }
        List<String> protocols = new ArrayList<>();
        for (String v : new String[] {"1.2", "1.3"}) {
            if (v.compareTo(o.minVersion()) >= 0 && v.compareTo(o.maxVersion()) <= 0) {
                protocols.add("TLSv" + v);
            }
        }
        SslContextBuilder b = SslContextBuilder.forServer(o.certificate().get().toFile(), o.privateKey().get().toFile())
                .protocols(protocols.isEmpty() ? List.of("TLSv1.2", "TLSv1.3") : protocols);
        return b.build();
    }

    /** New flows use the new table; established flows keep their backend. */
    public void reload(Lb2Settings settings) {
        router.replace(settings);
        LOG.info("LB2 reloaded {}: {} backend entries", settings.file(), settings.backends().size());
    }

    public Lb2Stats stats() {
        return stats;
    }

    public List<InetSocketAddress> udpAddresses() {
        return List.copyOf(udp);
    }

    public List<InetSocketAddress> tcpAddresses() {
        return List.copyOf(tcp);
    }

    public List<InetSocketAddress> tlsAddresses() {
        return List.copyOf(tls);
    }

    @Override
    public void close() {
        for (Channel c : listeners) {
            c.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
