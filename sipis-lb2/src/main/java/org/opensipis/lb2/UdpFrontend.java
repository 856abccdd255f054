package org.opensipis.lb2;

import org.opensipis.sip.message.Printable;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.log.RateLimitedLog;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.opensipis.sip.message.StreamFramer;
import org.opensipis.sip.message.WireResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * App flows over UDP: each app source address is a flow with its own TCP connection to the
 * chosen backend. Datagrams go to the backend as stream messages (Content-Length added when
 * missing); messages from the backend go back as datagrams. Idle flows are closed. All state
 * is owned by the UDP channel's event loop (backend channels share it).
 */
final class UdpFrontend extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger LOG = LoggerFactory.getLogger(UdpFrontend.class);

    /** Malformed datagrams: one WARN per 10 s, the rest at DEBUG. */
    private final RateLimitedLog refused = new RateLimitedLog(LOG, 10, java.util.concurrent.TimeUnit.SECONDS);

    static final int MAX_FLOWS = 200_000;
    static final long FLOW_IDLE_SECONDS = 15 * 60;

    private final Router router;
    private final Lb2Stats stats;
    private final int maxMessageBytes;
    private final Map<InetSocketAddress, Flow> flows = new HashMap<>();

    private static final class Flow {
        Channel backend;
        final List<ByteBuf> pending = new ArrayList<>();
    }

    UdpFrontend(Router router, Lb2Stats stats, int maxMessageBytes) {
        this.router = router;
        this.stats = stats;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf in = packet.content();
        InetSocketAddress app = packet.sender();
        while (in.readableBytes() >= 2 && in.getByte(in.readerIndex()) == '\r' && in.getByte(in.readerIndex() + 1) == '\n') {
            in.skipBytes(2);
        }
        if (!in.isReadable()) {
            stats.pings.increment();
            return;
        }
        if (in.readableBytes() > maxMessageBytes) {
            stats.malformed.increment();
            refused.warn("{} from {}", Printable.escape("Dropped a datagram of " + in.readableBytes() + " bytes"), app);
            return;
        }
        SipMessage head;
        try {
            head = SipMessage.parse(ByteBufUtil.getBytes(in));
        } catch (SipParseException e) {
            stats.malformed.increment();
            refused.warn("{} from {}", Printable.escape("Refused a malformed SIP message: " + e.getMessage()), app);
            byte[] answer = WireResponses.error(e);
            if (answer != null) {
                ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(answer), app));
            }
            return;
        }
        ByteBuf message = asStreamMessage(in, head);
        Flow flow = flows.get(app);
        if (flow != null) {
            forward(flow, message);
            return;
        }
        Optional<String> selector = RouteFacts.selector(head);
        Optional<HostPort> target = selector.flatMap(s -> router.route(s, RouteFacts.appId(head)));
        if (target.isEmpty() || flows.size() >= MAX_FLOWS) {
            stats.noRoute.increment();
            message.release();
            if (RouteFacts.answerable(head)) {
                byte[] reply = target.isEmpty()
                        ? Responses.noRoute(head, selector.isEmpty() ? "no selector in the request" : "no Backend entry matches")
                        : Responses.unavailable(head);
                ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply), app));
            }
            return;
        }
        Flow created = new Flow();
        flows.put(app, created);
        created.pending.add(message);
        open(ctx.channel(), app, created, head, target.get());
    }

    private void forward(Flow flow, ByteBuf message) {
        if (flow.backend == null) {
            flow.pending.add(message);
        } else {
            stats.toBackend.increment();
            flow.backend.writeAndFlush(message);
        }
    }

    private void open(Channel udp, InetSocketAddress app, Flow flow, SipMessage first, HostPort target) {
        Bootstrap b = new Bootstrap().group(udp.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, FLOW_IDLE_SECONDS, TimeUnit.SECONDS),
                                new StreamFramer(maxMessageBytes, true),
                                BackendRelay.toDatagrams(udp, m -> new DatagramPacket(m, app), stats));
                    }
                });
        b.connect(target.host(), target.port()).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                stats.flows.increment();
                flow.backend = f.channel();
                for (ByteBuf m : flow.pending) {
                    stats.toBackend.increment();
                    flow.backend.write(m);
                }
                flow.pending.clear();
                flow.backend.flush();
                flow.backend.closeFuture().addListener(x -> flows.remove(app, flow));
            } else {
                stats.backendFailures.increment();
                stats.backendLog.warn("{} from {}", Printable.escape("Backend " + target + " unreachable: " + f.cause()), app);
                flows.remove(app, flow);
                flow.pending.forEach(ByteBuf::release);
                flow.pending.clear();
                if (RouteFacts.answerable(first)) {
                    udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(Responses.unavailable(first)), app));
                }
            }
        });
    }

    /**
     * The datagram as a stream message (RFC 3261 18.3): cut to its Content-Length (bytes after it
     * are not part of the message), or given a Content-Length header when it has none.
     */
    private static ByteBuf asStreamMessage(ByteBuf in, SipMessage m) {
        int blank = StreamFramer.indexOfBlankLine(in, in.readerIndex(), in.readableBytes());
        int length = m.contentLength();
        if (blank < 0) {
            // only LF line ends: the parser accepted it; the stream gets it with its length fixed
            return Unpooled.wrappedBuffer(withLength(m));
        }
        if (length >= 0) {
            return in.retainedSlice(in.readerIndex(), blank + 4 + length - in.readerIndex());
        }
        int bodyStart = blank + 4;
        byte[] header = ("\r\nContent-Length: " + (in.writerIndex() - bodyStart)).getBytes(StandardCharsets.US_ASCII);
        return Unpooled.wrappedBuffer(in.retainedSlice(in.readerIndex(), blank - in.readerIndex()),
                Unpooled.wrappedBuffer(header), in.retainedSlice(blank, in.writerIndex() - blank));
    }

    private static byte[] withLength(SipMessage m) {
        return m.serialize();
    }

    int flowCount() {
        return flows.size();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Flow f : new ArrayList<>(flows.values())) {
            if (f.backend != null) {
                f.backend.close();
            }
            f.pending.forEach(ByteBuf::release);
        }
        flows.clear();
    }
}
