package org.opensipis.sip.transport;

import org.opensipis.sip.message.Printable;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.log.RateLimitedLog;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.opensipis.sip.message.StreamFramer;
import org.opensipis.sip.message.WireResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's SIP sockets (Netty; its native epoll transport on Linux, NIO elsewhere or when
 * {@value #TRANSPORT_PROPERTY}{@code =nio}), owned by the one {@link SipEndpoint}: one shared UDP
 * socket, and one TCP or TLS connection per registrar address, shared by every instance
 * registering there. Parsed inbound messages and closed flows are reported to the
 * {@link Receiver} (the endpoint) on Netty I/O threads; handlers hop onto owners. Keep-alives: CRLF on TCP/TLS, CRLFCRLF on UDP, per flow.
 */
public final class SipTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipTransport.class);

    /** Malformed input from the network: one WARN per 10 s, the rest at DEBUG. */
    private final RateLimitedLog refused = new RateLimitedLog(LOG, 10, java.util.concurrent.TimeUnit.SECONDS);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] DOUBLE_CRLF = {'\r', '\n', '\r', '\n'};

    /** Where inbound traffic goes; called on I/O threads, must not block. */
    interface Receiver {
        void onMessage(SipMessage message, Flow flow);

        void onFlowClosed(Flow flow);
    }

    /**
     * System property that forces Java NIO for the SIP sockets ({@code nio}) instead of Netty's native
     * epoll transport. Epoll costs less per wake-up, which is most of what an idle-ish refresh costs
     * (docs/benchmarks.md); NIO is the fallback where the native library cannot load.
     */
    public static final String TRANSPORT_PROPERTY = "sipis.sip.transport";

    /** Whether the SIP sockets use Netty's native epoll transport in this JVM. */
    public static boolean nativeEpoll() {
        return !"nio".equalsIgnoreCase(System.getProperty(TRANSPORT_PROPERTY, "")) && Epoll.isAvailable();
    }

    private final TransportConfig config;
    private final Receiver receiver;
    private final boolean epoll;
    private final EventLoopGroup group;
    private final TlsContexts tls;
    private final io.netty.channel.EventLoop udpLoop;
    /** Set once by {@link #bind}, before any message can arrive or be sent. */
    private volatile Channel udp;
    private final Map<String, CompletableFuture<Flow>> streams = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Flow> udpFlows = new ConcurrentHashMap<>();
    private final Map<InetAddress, String> localHosts = new ConcurrentHashMap<>();

    /**
     * The I/O event loops and TLS contexts; no socket yet. {@link SipEndpoint} binds the UDP socket
     * ({@link #bind}) once what arrives has somewhere to go.
     */
    SipTransport(TransportConfig config, Receiver receiver) throws IOException {
        this.config = config;
        this.receiver = receiver;
        this.epoll = nativeEpoll();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("sipis-sip-io", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.udpLoop = (io.netty.channel.EventLoop) group.next();
        try {
            this.tls = new TlsContexts(config.trustedCertificates(), config.clientCertificates());
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Binds the UDP socket on {@link #udpEventLoop}; once. */
    void bind() throws IOException {
        ChannelFuture bound = new Bootstrap().group(udpLoop).channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                // a 200 OK listing every binding of an AoR easily exceeds Netty's 2 KiB default
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_535))
                .handler(new UdpHandler())
                .bind(new InetSocketAddress(config.bindAddress(), config.bindPort())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("Cannot bind the SIP UDP socket on " + config.bindAddress() + ":" + config.bindPort()
                    + " (Registration[Address], Registration[Port]; is another process using it?): "
                    + bound.cause().getMessage(), bound.cause());
        }
        this.udp = bound.channel();
        LOG.info("SIP UDP socket bound on {} ({})", udp.localAddress(), epoll ? "native epoll" : "Java NIO");
        if (config.keepAlive()) {
            long p = config.keepAlivePeriod().toMillis();
            udp.eventLoop().scheduleAtFixedRate(this::udpKeepAlives, p, p, TimeUnit.MILLISECONDS);
        }
    }

    /** The UDP socket's event loop: an owner for work that must reach the wire without a hop. */
    public io.netty.channel.EventLoop udpEventLoop() {
        return udpLoop;
    }

    /**
     * Every I/O event loop, the UDP socket's first. Owners on these loops handle what they read
     * without a hop; they must never block.
     */
    public java.util.List<io.netty.channel.EventLoop> eventLoops() {
        java.util.List<io.netty.channel.EventLoop> out = new java.util.ArrayList<>();
        out.add(udpLoop);
        for (io.netty.util.concurrent.EventExecutor e : group) {
            if (e != udpLoop) {
                out.add((io.netty.channel.EventLoop) e);
            }
        }
        return out;
    }

    /** Whether the UDP socket is still open and bound (readiness). */
    public boolean isBound() {
        Channel u = udp;
        return u != null && u.isActive();
    }

    /** The local UDP port. */
    public int udpPort() {
        return ((InetSocketAddress) udp.localAddress()).getPort();
    }

    /**
     * The flow towards {@code remote}; connects TCP/TLS when there is none open.
     *
     * @param serverName the registrar's host name, checked against its TLS certificate
     */
    public CompletableFuture<Flow> flow(Transport transport, InetSocketAddress remote, String serverName) {
        if (transport == Transport.UDP) {
            return CompletableFuture.completedFuture(udpFlows.computeIfAbsent(remote,
                    r -> new Flow(Transport.UDP, r, localHostFor(r.getAddress()), udpPort(), udp)));
        }
        String key = transport + "|" + remote + "|" + serverName;
        CompletableFuture<Flow> existing = streams.get(key);
        if (existing != null && (!existing.isDone() || (!existing.isCompletedExceptionally() && existing.join().isOpen()))) {
            return existing;
        }
        CompletableFuture<Flow> created = new CompletableFuture<>();
        if (existing == null ? streams.putIfAbsent(key, created) != null : !streams.replace(key, existing, created)) {
            return flow(transport, remote, serverName);
        }
        connect(transport, remote, serverName, key, created);
        return created;
    }

    private void connect(Transport transport, InetSocketAddress remote, String serverName, String key,
                         CompletableFuture<Flow> result) {
        Bootstrap b = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (transport == Transport.TLS) {
                            SSLEngine engine = tls.forHost(serverName).newEngine(ch.alloc(), serverName, remote.getPort());
                            SSLParameters p = engine.getSSLParameters();
                            p.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(p);
                            ch.pipeline().addLast(new SslHandler(engine));
                        }
                        ch.pipeline().addLast(new StreamFramer(StreamFramer.DEFAULT_MAX_MESSAGE, false), new StreamHandler());
                    }
                });
        ChannelFuture cf = b.connect(remote, new InetSocketAddress(config.bindAddress(), 0));
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                streams.remove(key, result);
                result.completeExceptionally(new IOException("cannot connect " + transport + " to " + remote, f.cause()));
                return;
            }
            Channel ch = cf.channel();
            InetSocketAddress local = (InetSocketAddress) ch.localAddress();
            Flow flow = new Flow(transport, remote, local.getAddress().getHostAddress(), local.getPort(), ch);
            ch.attr(StreamHandler.FLOW).set(flow);
            ch.closeFuture().addListener(x -> {
                streams.remove(key, result);
                // one task later, so that the error closing it (e.g. a TLS alert) is recorded first
                Runnable report = () -> {
                    flow.markClosed();
                    receiver.onFlowClosed(flow);
                };
                try {
                    ch.eventLoop().execute(report);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    report.run();
                }
            });
            if (transport == Transport.TLS) {
                ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        result.complete(flow);
                    } else {
                        result.completeExceptionally(new IOException("TLS handshake with " + serverName + " at " + remote
                                + " failed: " + Flow.rootMessage(h.cause()), h.cause()));
                        ch.close();
                    }
                });
            } else {
                result.complete(flow);
            }
            if (config.keepAlive()) {
                long p = config.keepAlivePeriod().toMillis();
                ch.eventLoop().scheduleAtFixedRate(() -> {
                    if (ch.isActive()) {
                        ch.writeAndFlush(Unpooled.wrappedBuffer(CRLF)).addListener(w -> {
                            if (!w.isSuccess()) {
                                ch.close();
                            }
                        });
                    }
                }, p, p, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void udpKeepAlives() {
        for (Flow f : udpFlows.values()) {
            f.send(DOUBLE_CRLF);
        }
    }

    private String localHostFor(InetAddress remote) {
        return localHosts.computeIfAbsent(remote, r -> {
            InetAddress bind = new InetSocketAddress(config.bindAddress(), 0).getAddress();
            if (!bind.isAnyLocalAddress()) {
                return bind.getHostAddress();
            }
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(r, 9);
                return probe.getLocalAddress().getHostAddress();
            } catch (SocketException e) {
                LOG.warn("Cannot find the local address towards {}: {}", r, e.toString());
                return r.isLoopbackAddress() ? r.getHostAddress() : "127.0.0.1";
            }
        });
    }

    private void deliver(byte[] data, int length, boolean framed, Flow flow) {
        SipMessage m;
        try {
            m = framed ? SipMessage.parseFramed(data) : SipMessage.parse(data, 0, length);
        } catch (SipParseException e) {
            refused.warn("{} from {}", Printable.escape("Refused a malformed SIP message: " + e.getMessage()), flow.remote());
            byte[] answer = WireResponses.error(e);
            if (answer != null) {
                flow.send(answer);
            }
            return;
        }
        receiver.onMessage(m, flow);
    }

    @Override
    public void close() {
        Channel u = udp;
        if (u != null) {
            u.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        /** Datagram bytes are copied here and decoded once (only the channel's event loop reads). */
        private final byte[] scratch = new byte[65_535];

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf c = p.content();
            if (c.readableBytes() <= 4) {
                return; // keep-alive
            }
            InetSocketAddress sender = p.sender();
            Flow flow = udpFlows.get(sender);
            if (flow == null) {
                flow = new Flow(Transport.UDP, sender, localHostFor(sender.getAddress()), udpPort(), udp);
            }
            int n = c.readableBytes();
            c.getBytes(c.readerIndex(), scratch, 0, n);
            deliver(scratch, n, false, flow);
        }
    }

    private final class StreamHandler extends SimpleChannelInboundHandler<ByteBuf> {
        static final io.netty.util.AttributeKey<Flow> FLOW = io.netty.util.AttributeKey.valueOf("sipis-flow");

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            Flow flow = ctx.channel().attr(FLOW).get();
            if (flow != null) {
                byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(msg);
                deliver(bytes, bytes.length, true, flow);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("Closing SIP flow {}: {}", ctx.channel().remoteAddress(), cause.toString());
            if (cause.getCause() instanceof SipParseException) {
                // unframeable (Content-Length missing, negative, repeated): 400 when answerable, then close
                SipParseException e = (SipParseException) cause.getCause();
                refused.warn("{} from {}", Printable.escape("Closing a SIP flow: " + e.getMessage()), ctx.channel().remoteAddress());
                byte[] answer = WireResponses.error(e);
                if (answer != null) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(answer));
                }
            }
            Flow flow = ctx.channel().attr(FLOW).get();
            if (flow != null) {
                flow.closedBy(cause);
            }
            ctx.close();
        }
    }
}
