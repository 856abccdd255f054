package org.opensipis.lb2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.function.Function;

/**
 * Backend → app half of a flow: whole SIP messages from the SIPIS process go to the app, as
 * stream messages on a TCP/TLS flow or as datagrams on a UDP flow ({@code wrap}); pings from the
 * backend are answered here. When the backend connection ends, a stream flow ends with it; an
 * idle UDP flow's backend connection is closed.
 */
final class BackendRelay extends ChannelInboundHandlerAdapter {

    private final Channel app;
    private final Function<ByteBuf, Object> wrap;
    private final boolean closeAppWithBackend;
    private final Lb2Stats stats;

    private BackendRelay(Channel app, Function<ByteBuf, Object> wrap, boolean closeAppWithBackend, Lb2Stats stats) {
        this.app = app;
        this.wrap = wrap;
        this.closeAppWithBackend = closeAppWithBackend;
        this.stats = stats;
    }

    /** For a TCP/TLS app flow: the app connection closes with the backend connection. */
    static BackendRelay toStream(Channel app, Lb2Stats stats) {
        return new BackendRelay(app, m -> m, true, stats);
    }

    /** For a UDP app flow: messages leave the shared UDP channel as datagrams to {@code wrap}'s address. */
    static BackendRelay toDatagrams(Channel udp, Function<ByteBuf, Object> wrap, Lb2Stats stats) {
        return new BackendRelay(udp, wrap, false, stats);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == org.opensipis.sip.message.StreamFramer.PING) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TcpFlowHandler.CRLF));
            return;
        }
        stats.toApp.increment();
        app.writeAndFlush(wrap.apply((ByteBuf) msg));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (closeAppWithBackend) {
            app.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.malformed.increment();
        ctx.close();
    }
}
