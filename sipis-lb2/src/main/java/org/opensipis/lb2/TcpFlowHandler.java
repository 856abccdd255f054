package org.opensipis.lb2;

import org.opensipis.sip.message.Printable;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.log.RateLimitedLog;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.opensipis.sip.message.StreamFramer;
import org.opensipis.sip.message.WireResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app flow over TCP or TLS. The first request chooses the backend; LB2 then opens its own
 * connection to it and relays whole SIP messages both ways until either side closes. All
 * state is touched only on the app channel's event loop (the backend channel shares it).
 */
final class TcpFlowHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TcpFlowHandler.class);
    static final byte[] CRLF = {'\r', '\n'};

    private final Router router;
    private final Lb2Stats stats;
    private final int maxMessageBytes;
    private final Deque<ByteBuf> pending = new ArrayDeque<>();
    private Channel backend;
    private boolean connecting;

    TcpFlowHandler(Router router, Lb2Stats stats, int maxMessageBytes) {
        this.router = router;
        this.stats = stats;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == StreamFramer.PING) {
            stats.pings.increment();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(CRLF));
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        if (backend != null) {
            stats.toBackend.increment();
            backend.writeAndFlush(frame);
            return;
        }
        if (connecting) {
            pending.add(frame);
            return;
        }
        SipMessage head;
        try {
            head = SipMessage.parseFramed(ByteBufUtil.getBytes(frame));
        } catch (SipParseException e) {
            stats.malformed.increment();
            frame.release();
            stats.refusedLog.warn("{} from {}", Printable.escape("Refused a malformed SIP message: " + e.getMessage()), ctx.channel().remoteAddress());
            byte[] answer = WireResponses.error(e);
            if (!e.sipLike()) {
                ctx.close(); // not SIP at all: not a SIP peer
            } else if (answer != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)); // framing is intact: the flow stays
            }
            return;
        }
        Optional<String> selector = RouteFacts.selector(head);
        Optional<HostPort> target = selector.flatMap(s -> router.route(s, RouteFacts.appId(head)));
        if (target.isEmpty()) {
            stats.noRoute.increment();
            frame.release();
            if (RouteFacts.answerable(head)) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(Responses.noRoute(head, selector.isEmpty()
                        ? "no selector in the request (To/Request-URI user or X-Sipis-Selector)"
                        : "no Backend entry matches selector " + selector.get())));
            }
            return;
        }
        connect(ctx, head, frame, target.get());
    }

    private void connect(ChannelHandlerContext ctx, SipMessage first, ByteBuf frame, HostPort target) {
        connecting = true;
        pending.add(frame);
        Channel app = ctx.channel();
        app.config().setAutoRead(false);
        Bootstrap b = new Bootstrap().group(app.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new StreamFramer(maxMessageBytes, true), BackendRelay.toStream(app, stats));
                    }
                });
        b.connect(target.host(), target.port()).addListener((ChannelFutureListener) f -> {
            connecting = false;
            if (f.isSuccess()) {
                stats.flows.increment();
                backend = f.channel();
                while (!pending.isEmpty()) {
                    stats.toBackend.increment();
                    backend.write(pending.poll());
                }
                backend.flush();
                app.closeFuture().addListener(x -> backend.close());
            } else {
                stats.backendFailures.increment();
                stats.backendLog.warn("{} from {}", Printable.escape("Backend " + target + " unreachable: " + f.cause()), app.remoteAddress());
                while (!pending.isEmpty()) {
                    ReferenceCountUtil.release(pending.poll());
                }
                if (RouteFacts.answerable(first)) {
                    app.writeAndFlush(Unpooled.wrappedBuffer(Responses.unavailable(first)));
                }
            }
            app.config().setAutoRead(true);
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        while (!pending.isEmpty()) {
            ReferenceCountUtil.release(pending.poll());
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            stats.malformed.increment();
            Throwable why = cause.getCause() != null ? cause.getCause() : cause;
            stats.refusedLog.warn("{} from {}", Printable.escape("Closing an app flow: " + why.getMessage()), ctx.channel().remoteAddress());
            byte[] answer = cause.getCause() instanceof SipParseException
                    ? WireResponses.error((SipParseException) cause.getCause()) : null;
            if (answer != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(f -> ctx.close());
                return;
            }
        } else {
            LOG.debug("app flow {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
